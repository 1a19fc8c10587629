'use strict';
/**
 * `npm start`: build, create, migrate and seed the database, then run the built api, worker and
 * local S3, SMTP, OneSignal, Stripe, PayPal, Twilio, Sumsub, custody, OIDC and DT One simulators until SIGINT or SIGTERM, on which all
 * shut down gracefully. With `apps` (`npm run start:all`) it only runs those processes.
 *
 * One Node process owns every child, rather than a chain of `npm run` scripts joined by `&&`:
 * npm hands a signal to the shell running its script, and the shell dies without passing it on,
 * which left the api and the worker running after `kill <npm's pid>`.
 */
const { spawn } = require('node:child_process');
const readline = require('node:readline');
const { setInterval } = require('node:timers');

const SETUP = ['build', 'db:create', 'db:migrate', 'db:seed'];
// The local OpenID Connect provider: unless AUTH_OIDC_PROVIDERS names others, the api accepts its
// tokens (audience `bourse-local`, roles from the `roles` claim).
const OIDC_PORT = process.env.OIDC_SIMULATOR_PORT || '3231';
process.env.AUTH_OIDC_PROVIDERS ||= JSON.stringify([
  {
    issuer: `http://127.0.0.1:${OIDC_PORT}`,
    audience: 'bourse-local',
    jwksUrl: `http://127.0.0.1:${OIDC_PORT}/.well-known/jwks.json`,
    rolesClaim: 'roles',
  },
]);
/** The long-running processes, by the name their output lines are prefixed with: Node arguments. */
const APPS = {
  api: ['dist/apps/api/apps/api/src/main.js'],
  worker: ['dist/apps/worker/apps/worker/src/main.js'],
  // Where STORAGE_S3_ENDPOINT points by default; uploads need it (libs/storage).
  s3: ['dist/apps/cli/apps/cli/src/main.js', 's3:simulator'],
  // Where NOTIFICATIONS_SMTP_URL points by default; e-mail notifications go to it (libs/notifications).
  smtp: ['dist/apps/cli/apps/cli/src/main.js', 'smtp:capture'],
  // Where ONESIGNAL_API_URL points by default; push notifications go to it.
  onesignal: ['dist/apps/cli/apps/cli/src/main.js', 'onesignal:simulator'],
  // Where PAYMENTS_STRIPE_API_URL points by default; it sends its webhooks to the api (libs/payments).
  stripe: ['dist/apps/cli/apps/cli/src/main.js', 'stripe:simulator'],
  paypal: ['dist/apps/cli/apps/cli/src/main.js', 'paypal:simulator'],
  // Where TWILIO_API_URL points by default; SMS go to it, its status callbacks to the api.
  twilio: ['dist/apps/cli/apps/cli/src/main.js', 'twilio:simulator'],
  // Where KYC_SUMSUB_API_URL points by default; it sends its review results to the api (libs/kyc).
  sumsub: ['dist/apps/cli/apps/cli/src/main.js', 'sumsub:simulator'],
  // Where TRADING_CUSTODY_API_URL points by default: the custodian of the users' metal (libs/trading).
  custody: ['dist/apps/cli/apps/cli/src/main.js', 'custody:simulator'],
  // Signs the external access tokens the api accepts (AUTH_OIDC_PROVIDERS, set above).
  oidc: ['dist/apps/cli/apps/cli/src/main.js', 'oidc:simulator', '--port', OIDC_PORT],
  // Where TOPUP_DTONE_API_URL points by default (port 3230); top-up orders go to it (libs/orders).
  dtone: ['dist/apps/cli/apps/cli/src/main.js', 'dtone:simulator'],
};

const children = new Set();
let stopping = false;

function run(command, args, name) {
  const child = spawn(command, args, { stdio: name ? ['ignore', 'pipe', 'pipe'] : 'inherit' });
  children.add(child);
  if (name) {
    for (const [from, to] of [
      [child.stdout, process.stdout],
      [child.stderr, process.stderr],
    ]) {
      readline
        .createInterface({ input: from })
        .on('line', (line) => to.write(`[${name}] ${line}\n`));
    }
  }

  return new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      children.delete(child);
      // A child ended by the SIGTERM this process sent while stopping stopped as asked: after
      // Ctrl-C it may have finished its own shutdown and be past its handlers when that lands.
      resolve(code ?? (signal === 'SIGTERM' && stopping ? 0 : 1));
    });
    child.on('error', (error) => {
      children.delete(child);
      console.error(`${name ?? command}: ${error.message}`);
      resolve(1);
    });
  });
}

/**
 * Asks every child to shut down gracefully, once. SIGTERM whatever arrived: after Ctrl-C in a
 * terminal the children have had SIGINT from it already, and an app treats a second, different
 * signal as the same shutdown, where a repeated one would kill it on the spot.
 */
function stop() {
  if (stopping) {
    return;
  }
  stopping = true;
  for (const child of children) {
    child.kill('SIGTERM');
  }
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
// npm passes SIGINT and SIGTERM on (the script `exec`s this process, so no shell stands between),
// but nothing when it is killed outright: orphaned, this process stops its children itself.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) {
    stop();
  }
}, 1000).unref();

async function main() {
  if (process.argv[2] !== 'apps') {
    for (const script of SETUP) {
      const code = await run(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', script]);
      if (code !== 0 || stopping) {
        return code || 1;
      }
    }
  }
  // Either one ending on its own (a crash, a bad config) stops the other: half a system is down.
  const exits = Object.entries(APPS).map(([name, args]) =>
    run(process.execPath, args, name).then((code) => {
      if (!stopping) {
        console.error(`${name} exited with ${code}; stopping the others`);
        stop();
      }

      return code;
    }),
  );
  const codes = await Promise.all(exits);

  return codes.every((code) => code === 0) ? 0 : 1;
}

main().then((code) => process.exit(code));
