import type { TradingAppConfig } from '@bourse/trading';
import { once } from 'node:events';
import { CustodySimulator } from '../../../simulators/custody/custody.simulator';

/**
 * `custody:simulator`: the local custodian bank `npm start` runs beside the api and worker,
 * listening where TRADING_CUSTODY_API_URL points and taking TRADING_CUSTODY_API_KEY for the
 * account TRADING_CUSTODY_ACCOUNT. Runs until SIGINT or SIGTERM.
 */
export async function runCustodySimulator(config: TradingAppConfig): Promise<string> {
  const { custody } = config.trading;
  const api = new URL(custody.apiUrl);
  if (api.protocol !== 'http:') {
    throw new Error(
      `custody:simulator serves plain HTTP; TRADING_CUSTODY_API_URL is ${custody.apiUrl}`,
    );
  }
  const simulator = new CustodySimulator({ apiKey: custody.apiKey, account: custody.account });
  const url = await simulator.start(Number(api.port || 80), api.hostname);
  process.stdout.write(`Custody simulator on ${url}, account ${custody.account}\n`);
  await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]);
  await simulator.stop();

  return 'Custody simulator stopped';
}
