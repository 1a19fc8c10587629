import type { NotificationsAppConfig } from '@bourse/notifications';
import { once } from 'node:events';
import { SmtpCapture } from '../../../simulators/smtp/smtp-capture';

/**
 * `smtp:capture`: the local SMTP relay `npm start` runs where NOTIFICATIONS_SMTP_URL points. It
 * delivers nothing: each message is logged (recipient, subject, template), then dropped.
 * Runs until SIGINT or SIGTERM.
 */
export async function runSmtpCapture(config: NotificationsAppConfig): Promise<string> {
  const relay = new URL(config.notifications.smtpUrl);
  if (relay.protocol !== 'smtp:') {
    throw new Error(`smtp:capture speaks plain SMTP; NOTIFICATIONS_SMTP_URL is ${relay.protocol}`);
  }
  const capture = new SmtpCapture({ keep: false });
  capture.onMessage((email) => {
    process.stdout.write(
      `${JSON.stringify({ msg: 'e-mail captured', to: email.to, subject: email.subject, template: email.headers.get('x-bourse-template') })}\n`,
    );
  });
  const url = await capture.start(Number(relay.port || 25), relay.hostname);
  process.stdout.write(`SMTP capture on ${url}\n`);
  await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]);
  await capture.stop();

  return 'SMTP capture stopped';
}
