'use strict';
/**
 * Card deposits on this machine, against issue 20's targets: BENCH_DEPOSITS deposits (default
 * 2,000) through the Stripe simulator, each of its webhooks delivered twice, to the built api and
 * worker. Each deposit is created at the api (`POST /v1/payments`, which creates the
 * PaymentIntent at the simulator) and confirmed with a test card as Stripe.js would; the
 * simulator then sends `charge.succeeded` and `payment_intent.succeeded`, twice each, signed. It
 * prints:
 *   - webhook sent -> wallet credited, p50/p99 (target p99 <= 300 ms): from the simulator's first
 *     POST of the first event that credits the deposit to the capture transfer's `created_at`
 *     (its transaction's start, a few ms before its commit);
 *   - exactly 2,000 capture transfers (one per deposit, however many copies arrived), and what
 *     was stored in the inbox (each event once);
 *   - the ledger's invariant checker (what `npm run ledger:verify` runs), clean.
 * Deposits are offered at BENCH_RATE per second (default 4) by 16 payers, so the figure is the
 * path's latency rather than a queue's. The outbox relay polls every 250 ms (the default): a
 * latency under it shows the relay is woken by the inbox's commit, not by its poll.
 * Run `npm run build` first; needs local Postgres and Redis (database bourse_bench_pay_<pid> and
 * a Redis prefix of its own, removed at the end).
 */
const { spawn } = require('node:child_process');
const path = require('node:path');
const { setTimeout: delay } = require('node:timers/promises');
const { stopAll, track, waitForOk } = require('../lib/processes');
const { databaseUrl, scratch } = require('../lib/scratch');

const ROOT = path.resolve(__dirname, '../..');
const DIST = path.join(ROOT, 'dist/apps/api/libs');
const API_MAIN = path.join(ROOT, 'dist/apps/api/apps/api/src/main.js');
const WORKER_MAIN = path.join(ROOT, 'dist/apps/worker/apps/worker/src/main.js');
const SIMULATOR = path.join(ROOT, 'dist/apps/cli/simulators/stripe/stripe.simulator.js');
const DEPOSITS = Number(process.env.BENCH_DEPOSITS ?? 2000);
const RATE = Number(process.env.BENCH_RATE ?? 4);
const PAYERS = 16;
const HOST = '127.0.0.1';
const API_PORT = Number(process.env.BENCH_API_PORT ?? 3240);
const WORKER_PORT = Number(process.env.BENCH_WORKER_PORT ?? 3241);
const SECRET_KEY = 'sk_test_bench';
const WEBHOOK_SECRET = 'whsec_bench';
const DRAIN_TIMEOUT_MS = 5 * 60_000;
const DB = `bourse_bench_pay_${process.pid}`;
const made = scratch('pay', [DB]);

const percentile = (sorted, p) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

function start(main, name, env) {
  return track(
    spawn(process.execPath, [main], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] }),
    name,
  );
}

async function main() {
  await made.recreate(DB);
  const { StripeSimulator } = require(SIMULATOR);
  const stripe = new StripeSimulator({ secretKey: SECRET_KEY, webhookSecret: WEBHOOK_SECRET });
  await stripe.start(0, HOST);
  stripe.delivery = { copies: 2, delayMs: 0, hold: false };
  stripe.options.webhookUrl = `http://${HOST}:${API_PORT}/v1/webhooks/stripe`;
  const env = {
    ...process.env,
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    HOST,
    DATABASE_URL: databaseUrl(DB),
    DATABASE_POOL_SIZE: '16',
    REDIS_KEY_PREFIX: made.prefix,
    MARKET_PROVIDER: 'none',
    API_PORT: String(API_PORT),
    API_METRICS_PORT: String(API_PORT + 2),
    WORKER_PORT: String(WORKER_PORT),
    WORKER_METRICS_PORT: String(WORKER_PORT + 2),
    RATE_LIMIT_PER_MINUTE: '100000000',
    PAYMENTS_STRIPE_API_URL: stripe.url,
    PAYMENTS_STRIPE_SECRET_KEY: SECRET_KEY,
    PAYMENTS_STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    // The PayPal side is unused: the scheduled reconciliation finds nothing there.
    PAYMENTS_PAYPAL_API_URL: `http://${HOST}:9`,
  };
  const platform = require(path.join(DIST, 'platform/src/index.js'));
  const { MIGRATIONS } = require(path.join(DIST, '../migrations/index.js'));
  const { DataSource } = require('typeorm');
  const config = platform.loadConfig(env, []);
  const source = new DataSource(
    platform.dataSourceOptions({ ...config.database, poolSize: 4 }, { migrations: MIGRATIONS }),
  );
  await source.initialize();
  await source.runMigrations();

  const api = start(API_MAIN, 'api', env);
  const worker = start(WORKER_MAIN, 'worker', env);
  await waitForOk(`http://${HOST}:${API_PORT}/health/ready`, api, 60_000);
  await waitForOk(`http://${HOST}:${WORKER_PORT}/health/ready`, worker, 60_000);

  const call = async (method, url, token, body, form) => {
    const res = await fetch(url, {
      method,
      headers: form
        ? {
            authorization: `Bearer ${SECRET_KEY}`,
            'content-type': 'application/x-www-form-urlencoded',
          }
        : {
            'content-type': 'application/json',
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
      body: form ?? (body === undefined ? undefined : JSON.stringify(body)),
    });
    const text = await res.text();
    if (!res.ok) {
      throw new Error(`${method} ${url}: ${res.status} ${text}`);
    }

    return JSON.parse(text);
  };
  const payers = [];
  for (let n = 0; n < PAYERS; n += 1) {
    const session = await call('POST', `http://${HOST}:${API_PORT}/v1/auth/register`, undefined, {
      email: `bench-payer-${n}-${process.pid}@example.com`,
      password: 'a long enough password',
    });
    payers.push(session.accessToken);
  }

  console.log(
    `${DEPOSITS} card deposits at ${RATE}/s by ${PAYERS} payers, each webhook sent twice`,
  );
  const intents = new Map(); // payment id -> PaymentIntent id
  const started = Date.now();
  const inFlight = new Set();
  let failures = 0;
  for (let n = 0; n < DEPOSITS; n += 1) {
    const due = started + (n * 1000) / RATE;
    if (due > Date.now()) {
      await delay(due - Date.now());
    }
    const deposit = (async () => {
      const payment = await call(
        'POST',
        `http://${HOST}:${API_PORT}/v1/payments`,
        payers[n % PAYERS],
        {
          amount: String(1000 + (n % 97)),
          asset: 'USD',
          purpose: 'wallet_deposit',
          provider: 'stripe',
        },
      );
      const intent = payment.clientSecret.split('_secret_')[0];
      intents.set(payment.id, intent);
      // The payer's browser confirms with a test card (what Stripe.js does).
      await call(
        'POST',
        `${stripe.url}/v1/payment_intents/${intent}/confirm`,
        undefined,
        undefined,
        'payment_method=pm_card_visa',
      );
    })().catch((error) => {
      failures += 1;
      if (failures <= 3) {
        console.error(error.message);
      }
    });
    inFlight.add(deposit);
    void deposit.finally(() => inFlight.delete(deposit));
  }
  await Promise.all(inFlight);
  const offeredSeconds = (Date.now() - started) / 1000;

  const count = async () =>
    (
      await source.query(
        `SELECT count(*)::int AS n FROM ledger_transfers WHERE code = 'payment.capture'`,
      )
    )[0].n;
  const deadline = Date.now() + DRAIN_TIMEOUT_MS;
  while (Date.now() < deadline) {
    await stripe.settled();
    const [{ unprocessed }] = await source.query(
      `SELECT count(*)::int AS unprocessed FROM inbox WHERE processed_at IS NULL`,
    );
    if (unprocessed === 0 && (await count()) >= intents.size) {
      break;
    }
    await delay(200);
  }
  // Let stray duplicates, if any, land before counting.
  await delay(1000);

  const credited = await source.query(
    `SELECT metadata->>'paymentId' AS payment, (extract(epoch FROM created_at) * 1000)::float8 AS at
       FROM ledger_transfers WHERE code = 'payment.capture'`,
  );
  const firstSent = new Map(); // intent -> ms of the first crediting event's first POST
  for (const event of stripe.events) {
    if (event.type === 'charge.succeeded' || event.type === 'payment_intent.succeeded') {
      const object = event.data.object;
      const intent = object.object === 'charge' ? object.payment_intent : object.id;
      const sent = stripe.sentAt.get(event.id);
      if (sent !== undefined && !(firstSent.get(intent) <= sent)) {
        firstSent.set(intent, sent);
      }
    }
  }
  const latencies = credited
    .map((row) => row.at - firstSent.get(intents.get(row.payment)))
    .filter((ms) => Number.isFinite(ms))
    .sort((a, b) => a - b);
  const perPayment = new Map();
  for (const row of credited) {
    perPayment.set(row.payment, (perPayment.get(row.payment) ?? 0) + 1);
  }
  const [{ stored, deliveries }] = await source.query(
    `SELECT count(*)::int AS stored, count(DISTINCT event_id)::int AS deliveries FROM inbox WHERE provider = 'stripe'`,
  );
  const sent = stripe.events.filter((event) => event.type !== 'payment_intent.created').length;

  // The invariant checker, as `npm run ledger:verify` runs it.
  const ledger = require(path.join(DIST, 'ledger/src/index.js'));
  const { NestFactory } = require('@nestjs/core');
  class VerifyModule {}
  const app = await NestFactory.createApplicationContext(
    {
      module: VerifyModule,
      imports: [
        platform.ConfigModule.forRoot(platform.loadConfig(env, [ledger.LEDGER_CONFIG])),
        platform.DatabaseModule,
        ledger.LedgerModule,
      ],
    },
    { logger: false, abortOnError: false },
  );
  const report = await app.get(ledger.StatementsService).verifyInvariants();
  await app.close();
  await source.destroy();
  await stripe.stop();

  console.log(
    `offered in ${offeredSeconds.toFixed(1)} s (${Math.round(intents.size / offeredSeconds)} deposits/s), ${failures} failed requests`,
  );
  console.log(
    `webhook sent -> wallet credited: p50 ${percentile(latencies, 50).toFixed(0)} ms, p99 ${percentile(latencies, 99).toFixed(0)} ms, max ${latencies.at(-1).toFixed(0)} ms (target p99 <= 300 ms; relay poll 250 ms)`,
  );
  console.log(
    `capture transfers: ${credited.length} for ${intents.size} deposits (${[...perPayment.values()].filter((n) => n > 1).length} deposits credited twice, ${intents.size - perPayment.size} not credited)`,
  );
  console.log(
    `events sent twice each: ${sent} events, stored in the inbox once each: ${stored} rows for ${deliveries} event ids`,
  );
  console.log(
    `ledger invariants (ledger:verify): ${report.ok ? 'clean' : 'VIOLATED'} (${report.accountsChecked} accounts)`,
  );
}

main()
  .catch((error) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(async () => {
    await stopAll();
    await made.cleanUp();
  });
