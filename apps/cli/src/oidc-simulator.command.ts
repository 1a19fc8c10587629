import { once } from 'node:events';
import { OidcSimulator } from '../../../simulators/oidc/oidc.simulator';

/** Where `npm start` runs it; scripts/start.js points AUTH_OIDC_PROVIDERS at it. */
export const OIDC_SIMULATOR_PORT = 3231;

/**
 * `oidc:simulator [--port N]`: a local OpenID Connect provider on loopback (discovery, JWKS,
 * RS256 tokens; `POST /oauth/token` with `{ "sub", "audience", "email", "email_verified",
 * "claims" }` issues one, `POST /rotate` rotates the signing key). Runs until SIGINT or SIGTERM.
 */
export async function runOidcSimulator(flags: string[]): Promise<string> {
  const at = flags.indexOf('--port');
  const port = at >= 0 ? Number(flags[at + 1]) : OIDC_SIMULATOR_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`oidc:simulator: --port must be a port number, got ${flags[at + 1]}`);
  }
  const simulator = new OidcSimulator();
  const url = await simulator.start(port, '127.0.0.1');
  process.stdout.write(`OIDC simulator on ${url} (issuer ${simulator.issuer})\n`);
  await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]);
  await simulator.stop();

  return 'OIDC simulator stopped';
}
