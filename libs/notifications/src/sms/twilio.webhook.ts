import {
  APP_CONFIG,
  InboxHandler,
  type InboxEvent,
  type InboxEventHandler,
  type Tx,
  type WebhookVerifier,
} from '@bourse/platform';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { IsNotEmpty, IsOptional, IsString, Matches } from 'class-validator';
import type { IncomingHttpHeaders } from 'node:http';
import twilio from 'twilio';
import type { NotificationsAppConfig } from '../notifications.config';
import { SmsRepository } from './sms.repository';

export const TWILIO_PROVIDER = 'twilio';

/**
 * `X-Twilio-Signature` checked by the SDK's own `validateRequest`: base64 HMAC-SHA1, under the
 * auth token, of the callback URL (the one each message named, TWILIO_STATUS_CALLBACK_URL) and
 * the form parameters sorted by name, each name followed by its value.
 */
@Injectable()
export class TwilioSignature implements WebhookVerifier {
  constructor(@Inject(APP_CONFIG) private readonly config: NotificationsAppConfig) {}

  verify(rawBody: Buffer, headers: IncomingHttpHeaders): boolean {
    const signature = headers['x-twilio-signature'];
    if (typeof signature !== 'string') {
      return false;
    }
    const { authToken, statusCallbackUrl } = this.config.notifications.twilio;
    const params = Object.fromEntries(new URLSearchParams(rawBody.toString('utf8')));

    return twilio.validateRequest(authToken, signature, statusCallbackUrl, params);
  }
}

/** What we read of a status callback; Twilio sends more (From, To, ApiVersion…), kept as sent. */
export class TwilioStatusDto {
  @IsString() @Matches(/^(SM|MM)[0-9a-f]{32}$/) MessageSid!: string;
  @IsString() @IsNotEmpty() MessageStatus!: string;
  @IsOptional() @IsString() @Matches(/^\d+$/) ErrorCode?: string;
}

/** A status is one event: Twilio repeating one (a redelivery) is a duplicate in the inbox. */
export const twilioEventId = (callback: TwilioStatusDto): string =>
  `${callback.MessageSid}:${callback.MessageStatus}`;

/** Applies Twilio's status callbacks in the worker, in the transaction that marks them processed. */
@InboxHandler(TWILIO_PROVIDER)
@Injectable()
export class TwilioStatusHandler implements InboxEventHandler {
  private readonly logger = new Logger(TwilioStatusHandler.name);

  constructor(private readonly sms: SmsRepository) {}

  async handle(event: InboxEvent, tx: Tx): Promise<void> {
    const callback = event.payload as unknown as TwilioStatusDto;
    const errorCode = callback.ErrorCode ? Number(callback.ErrorCode) : undefined;
    await this.sms.applyStatus(tx, {
      sid: callback.MessageSid,
      status: callback.MessageStatus,
      errorCode,
    });
    if (['failed', 'undelivered'].includes(callback.MessageStatus)) {
      this.logger.warn({
        msg: 'SMS not delivered',
        sid: callback.MessageSid,
        status: callback.MessageStatus,
        errorCode,
      });
    }
  }
}
