import {
  TWILIO_PROVIDER,
  TwilioSignature,
  TwilioStatusDto,
  twilioEventId,
} from '@bourse/notifications';
import { InboxService, Webhook, WebhookPayload, type ReceiveResult } from '@bourse/platform';
import { Controller, Post } from '@nestjs/common';

/** Twilio's SMS status callbacks, signature-checked, stored once in the inbox; the worker applies them. */
@Controller('v1/webhooks')
export class TwilioWebhookController {
  constructor(private readonly inbox: InboxService) {}

  @Post('twilio')
  @Webhook(TWILIO_PROVIDER, TwilioSignature)
  receive(@WebhookPayload() callback: TwilioStatusDto): Promise<ReceiveResult> {
    return this.inbox.receive({
      provider: TWILIO_PROVIDER,
      eventId: twilioEventId(callback),
      type: `sms.${callback.MessageStatus}`,
      payload: callback,
    });
  }
}
