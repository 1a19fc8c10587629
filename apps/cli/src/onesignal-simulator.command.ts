import type { NotificationsAppConfig } from '@bourse/notifications';
import { once } from 'node:events';
import { OneSignalSimulator } from '../../../simulators/onesignal/onesignal.simulator';

/**
 * `onesignal:simulator`: the local OneSignal REST API `npm start` runs where ONESIGNAL_API_URL
 * points, with the configured app id and key. Every external id counts as subscribed (a local
 * run has no devices); each push is logged. Runs until SIGINT or SIGTERM.
 */
export async function runOneSignalSimulator(config: NotificationsAppConfig): Promise<string> {
  const { oneSignal } = config.notifications;
  const endpoint = new URL(oneSignal.apiUrl);
  if (endpoint.protocol !== 'http:') {
    throw new Error(
      `onesignal:simulator serves plain HTTP; ONESIGNAL_API_URL is ${oneSignal.apiUrl}`,
    );
  }
  const simulator = new OneSignalSimulator({
    appId: oneSignal.appId,
    restApiKey: oneSignal.restApiKey,
    everyoneSubscribed: true,
    // Logged, not kept: a long-running simulator must not grow.
    onPush: (push) =>
      process.stdout.write(`${JSON.stringify({ msg: 'push delivered', ...push })}\n`),
  });
  const url = await simulator.start(Number(endpoint.port || 80), endpoint.hostname);
  process.stdout.write(`OneSignal simulator on ${url} (app ${oneSignal.appId})\n`);
  await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]);
  await simulator.stop();

  return 'OneSignal simulator stopped';
}
