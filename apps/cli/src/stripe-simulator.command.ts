import type { PaymentsAppConfig } from '@bourse/payments';
import type { SectionConfig } from '@bourse/platform';
import { once } from 'node:events';
import { StripeSimulator } from '../../../simulators/stripe/stripe.simulator';
import type { PROVIDER_SIMULATORS_CONFIG } from './provider-simulators.config';

/**
 * `stripe:simulator`: the local Stripe `npm start` runs beside the api and worker, listening where
 * PAYMENTS_STRIPE_API_URL points, taking PAYMENTS_STRIPE_SECRET_KEY and delivering its events,
 * signed with PAYMENTS_STRIPE_WEBHOOK_SECRET, to STRIPE_SIMULATOR_WEBHOOK_URL (the api's
 * `/v1/webhooks/stripe`).
 * Runs until SIGINT or SIGTERM.
 */
export async function runStripeSimulator(
  config: PaymentsAppConfig & SectionConfig<typeof PROVIDER_SIMULATORS_CONFIG>,
): Promise<string> {
  const { stripe } = config.payments;
  const api = new URL(stripe.apiUrl);
  if (api.protocol !== 'http:') {
    throw new Error(
      `stripe:simulator serves plain HTTP; PAYMENTS_STRIPE_API_URL is ${stripe.apiUrl}`,
    );
  }
  const simulator = new StripeSimulator({
    secretKey: stripe.secretKey,
    webhookSecret: stripe.webhookSecret,
    webhookUrl: config.providerSimulators.stripeWebhookUrl,
  });
  const url = await simulator.start(Number(api.port || 80), api.hostname);
  process.stdout.write(`Stripe simulator on ${url}, webhooks to ${simulator.options.webhookUrl}\n`);
  await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]);
  await simulator.stop();

  return 'Stripe simulator stopped';
}
