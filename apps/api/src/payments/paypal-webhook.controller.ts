import { PAYPAL_PROVIDER, PayPalEventDto, PayPalSignature } from '@bourse/payments';
import { InboxService, Webhook, WebhookPayload, type ReceiveResult } from '@bourse/platform';
import { Controller, Post } from '@nestjs/common';

/** PayPal's events, verified with PayPal, stored once in the inbox; the worker applies them. */
@Controller('v1/webhooks')
export class PayPalWebhookController {
  constructor(private readonly inbox: InboxService) {}

  @Post('paypal')
  @Webhook(PAYPAL_PROVIDER, PayPalSignature)
  receive(@WebhookPayload() event: PayPalEventDto): Promise<ReceiveResult> {
    return this.inbox.receive({
      provider: PAYPAL_PROVIDER,
      eventId: event.id,
      type: event.event_type,
      payload: event,
    });
  }
}
