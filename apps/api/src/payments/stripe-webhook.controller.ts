import { STRIPE_PROVIDER, StripeEventDto, StripeSignature } from '@bourse/payments';
import { InboxService, Webhook, WebhookPayload, type ReceiveResult } from '@bourse/platform';
import { Controller, Post } from '@nestjs/common';

/** Stripe's events, signature-checked, stored once in the inbox; the worker applies them. */
@Controller('v1/webhooks')
export class StripeWebhookController {
  constructor(private readonly inbox: InboxService) {}

  @Post('stripe')
  @Webhook(STRIPE_PROVIDER, StripeSignature)
  receive(@WebhookPayload() event: StripeEventDto): Promise<ReceiveResult> {
    return this.inbox.receive({
      provider: STRIPE_PROVIDER,
      eventId: event.id,
      type: event.type,
      payload: event,
    });
  }
}
