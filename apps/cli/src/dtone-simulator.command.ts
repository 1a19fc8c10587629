import type { OrdersAppConfig } from '@bourse/orders';
import { once } from 'node:events';
import { DtOneSimulator } from '../../../simulators/dtone/dtone.simulator';

/**
 * `dtone:simulator`: the local DT One `npm start` runs beside the api and worker, listening where
 * TOPUP_DTONE_API_URL points with the configured key and secret, its operators answering within
 * 200 ms–2 s. Callbacks go to the URL each transaction names. Runs until SIGINT or SIGTERM.
 */
export async function runDtOneSimulator(config: OrdersAppConfig): Promise<string> {
  const { dtone } = config.orders;
  const api = new URL(dtone.apiUrl);
  if (api.protocol !== 'http:') {
    throw new Error(`dtone:simulator serves plain HTTP; TOPUP_DTONE_API_URL is ${dtone.apiUrl}`);
  }
  const simulator = new DtOneSimulator({
    apiKey: dtone.apiKey,
    apiSecret: dtone.apiSecret,
    latencyMs: [200, 2000],
  });
  const url = await simulator.start(Number(api.port || 80), api.hostname);
  const { operators, countries } = simulator.catalogue;
  process.stdout.write(
    `DT One simulator on ${url}: ${operators.length} operators in ${countries.length} countries\n`,
  );
  await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]);
  await simulator.stop();

  return 'DT One simulator stopped';
}
