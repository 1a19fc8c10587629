import type { KycAppConfig } from '@bourse/kyc';
import type { SectionConfig } from '@bourse/platform';
import { once } from 'node:events';
import { SumsubSimulator } from '../../../simulators/sumsub/sumsub.simulator';
import type { PROVIDER_SIMULATORS_CONFIG } from './provider-simulators.config';

/**
 * `sumsub:simulator`: the local Sumsub `npm start` runs beside the api and worker, listening where
 * KYC_SUMSUB_API_URL points, taking KYC_SUMSUB_APP_TOKEN and KYC_SUMSUB_SECRET_KEY, and POSTing
 * review results signed with KYC_SUMSUB_WEBHOOK_SECRET to SUMSUB_SIMULATOR_WEBHOOK_URL.
 * Runs until SIGINT or SIGTERM.
 */
export async function runSumsubSimulator(
  config: KycAppConfig & SectionConfig<typeof PROVIDER_SIMULATORS_CONFIG>,
): Promise<string> {
  const { sumsub, sumsubWebhookSecret } = config.kyc;
  const api = new URL(sumsub.apiUrl);
  if (api.protocol !== 'http:') {
    throw new Error(`sumsub:simulator serves plain HTTP; KYC_SUMSUB_API_URL is ${sumsub.apiUrl}`);
  }
  const simulator = new SumsubSimulator({
    appToken: sumsub.appToken,
    secretKey: sumsub.secretKey,
    webhookSecret: sumsubWebhookSecret,
    ...config.providerSimulators.sumsub,
  });
  const url = await simulator.start(Number(api.port || 80), api.hostname);
  process.stdout.write(`Sumsub simulator on ${url}, webhooks to ${simulator.options.webhookUrl}\n`);
  await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]);
  await simulator.stop();

  return 'Sumsub simulator stopped';
}
