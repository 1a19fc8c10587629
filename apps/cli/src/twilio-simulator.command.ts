import type { NotificationsAppConfig } from '@bourse/notifications';
import { once } from 'node:events';
import { TwilioSimulator } from '../../../simulators/twilio/twilio.simulator';

/**
 * `twilio:simulator`: the local Twilio Messages API `npm start` runs where TWILIO_API_URL points,
 * for the configured account (TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN). Every message is
 * delivered, and its signed status callbacks go to the StatusCallback it names (the api's
 * TWILIO_STATUS_CALLBACK_URL); each message and callback is logged. Runs until SIGINT or SIGTERM.
 */
export async function runTwilioSimulator(config: NotificationsAppConfig): Promise<string> {
  const { twilio } = config.notifications;
  const endpoint = new URL(twilio.apiUrl);
  if (endpoint.protocol !== 'http:') {
    throw new Error(`twilio:simulator serves plain HTTP; TWILIO_API_URL is ${twilio.apiUrl}`);
  }
  const log = (entry: object) => process.stdout.write(`${JSON.stringify(entry)}\n`);
  const simulator = new TwilioSimulator({
    accountSid: twilio.accountSid,
    authToken: twilio.authToken,
    callbackDelayMs: 1000,
    // Logged, not kept: a long-running simulator must not grow.
    onMessage: (sms) => log({ msg: 'sms accepted', sid: sms.sid, to: sms.to, body: sms.body }),
    onCallback: (callback) =>
      log({
        msg: 'status callback sent',
        sid: callback.params.MessageSid,
        status: callback.params.MessageStatus,
        url: callback.url,
        answer: callback.answer,
      }),
  });
  const url = await simulator.start(Number(endpoint.port || 80), endpoint.hostname);
  process.stdout.write(`Twilio simulator on ${url} (account ${twilio.accountSid})\n`);
  await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]);
  await simulator.stop();

  return 'Twilio simulator stopped';
}
