import { APP_CONFIG } from '@bourse/platform';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { createTransport, type Transporter } from 'nodemailer';
import type { RenderedEmail } from './email-templates';
import type { NotificationsAppConfig } from './notifications.config';

// A relay that hangs must fail the job (Bull retries it), not hold its row lock for minutes.
const SMTP_TIMEOUT_MS = 10_000;

/** Sends e-mail through the configured SMTP relay (the capture server locally). */
@Injectable()
export class Mailer implements OnModuleDestroy {
  private readonly transport: Transporter;

  constructor(@Inject(APP_CONFIG) private readonly config: NotificationsAppConfig) {
    this.transport = createTransport({
      url: config.notifications.smtpUrl,
      connectionTimeout: SMTP_TIMEOUT_MS,
      greetingTimeout: SMTP_TIMEOUT_MS,
      socketTimeout: SMTP_TIMEOUT_MS,
    });
  }

  /**
   * `messageId` is the notification's own, so a message resent after a lost acknowledgement
   * carries the same Message-ID and mail clients and relays can drop the copy.
   */
  async send(to: string, messageId: string, template: string, email: RenderedEmail): Promise<void> {
    await this.transport.sendMail({
      from: this.config.notifications.emailFrom,
      to,
      messageId,
      subject: email.subject,
      text: email.text,
      html: email.html,
      headers: { 'X-Bourse-Template': template },
    });
  }

  onModuleDestroy(): void {
    this.transport.close();
  }
}
