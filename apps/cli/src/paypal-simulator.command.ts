import type { PaymentsAppConfig } from '@bourse/payments';
import type { SectionConfig } from '@bourse/platform';
import { once } from 'node:events';
import { PayPalSimulator } from '../../../simulators/paypal/paypal.simulator';
import type { PROVIDER_SIMULATORS_CONFIG } from './provider-simulators.config';

/**
 * `paypal:simulator`: the local PayPal `npm start` runs beside the api and worker, listening where
 * PAYMENTS_PAYPAL_API_URL points, with the configured client credentials and webhook id, and
 * delivering its signed events to PAYPAL_SIMULATOR_WEBHOOK_URL. Runs until SIGINT or SIGTERM.
 */
export async function runPayPalSimulator(
  config: PaymentsAppConfig & SectionConfig<typeof PROVIDER_SIMULATORS_CONFIG>,
): Promise<string> {
  const { paypal } = config.payments;
  const api = new URL(paypal.apiUrl);
  if (api.protocol !== 'http:') {
    throw new Error(
      `paypal:simulator serves plain HTTP; PAYMENTS_PAYPAL_API_URL is ${paypal.apiUrl}`,
    );
  }
  const simulator = new PayPalSimulator({
    clientId: paypal.clientId,
    clientSecret: paypal.clientSecret,
    webhookId: paypal.webhookId,
    webhookUrl: config.providerSimulators.paypalWebhookUrl,
  });
  const url = await simulator.start(Number(api.port || 80), api.hostname);
  process.stdout.write(`PayPal simulator on ${url}, webhooks to ${simulator.options.webhookUrl}\n`);
  await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]);
  await simulator.stop();

  return 'PayPal simulator stopped';
}
