import { SUMSUB_PROVIDER, SumsubSignature, SumsubWebhookDto, sumsubEventId } from '@bourse/kyc';
import { InboxService, Webhook, WebhookPayload, type ReceiveResult } from '@bourse/platform';
import { Controller, Post } from '@nestjs/common';

/** Sumsub's applicant webhooks, signed with `X-Payload-Digest`, into the inbox once each. */
@Controller('webhooks')
export class SumsubWebhookController {
  constructor(private readonly inbox: InboxService) {}

  @Post('sumsub')
  @Webhook(SUMSUB_PROVIDER, SumsubSignature)
  receive(@WebhookPayload() event: SumsubWebhookDto): Promise<ReceiveResult> {
    return this.inbox.receive({
      provider: SUMSUB_PROVIDER,
      eventId: sumsubEventId(event),
      type: event.type,
      payload: event,
    });
  }
}
