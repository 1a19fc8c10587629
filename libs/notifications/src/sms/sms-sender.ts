import { APP_CONFIG } from '@bourse/platform';
import { Inject, Injectable } from '@nestjs/common';
import twilio from 'twilio';
import type { NotificationsAppConfig } from '../notifications.config';

/** What Twilio answered for an accepted message. */
export interface SentSms {
  sid: string;
  status: string;
}

/**
 * SMS through Twilio's Messages API with its official SDK. Each message names the api's
 * status-callback route, where Twilio reports it sent, delivered or undelivered.
 */
@Injectable()
export class SmsSender {
  private readonly client: twilio.Twilio;

  constructor(@Inject(APP_CONFIG) private readonly config: NotificationsAppConfig) {
    const { accountSid, authToken, apiUrl } = config.notifications.twilio;
    this.client = twilio(accountSid, authToken);
    // The SDK builds every Messages URL on this domain's base: the real one or the simulator.
    this.client.api.baseUrl = apiUrl.replace(/\/$/, '');
  }

  /**
   * Twilio has no idempotency key for messages: a job retried after Twilio accepted a message
   * whose answer was lost sends it again (at least once, like e-mail).
   */
  async send(to: string, body: string): Promise<SentSms> {
    const { from, statusCallbackUrl } = this.config.notifications.twilio;
    const message = await this.client.messages.create({
      to,
      from,
      body,
      statusCallback: statusCallbackUrl,
    });

    return { sid: message.sid, status: message.status };
  }
}
