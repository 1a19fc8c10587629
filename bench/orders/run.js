'use strict';
/**
 * Top-up orders on this machine, against issue 25's targets: BENCH_ORDERS wallet orders (default
 * 1,000) placed over HTTP at BENCH_RATE orders/s (default 50) through the built api, delivered by
 * two built worker processes against the DT One simulator (operators answering in 200 ms–2 s,
 * 5 % declined, callbacks to the api). With BENCH_KILL=1 (the default) worker 1 is killed
 * (SIGKILL) halfway through and started again BENCH_RESTART_MS later. It prints:
 *   - paid → delivered, p50/p99 (target p99 <= 5 s) and Bourse's own share of it (that time minus
 *     the simulator's operator latency for the order; target p99 <= 250 ms, in a run without
 *     the kill: BENCH_KILL=0);
 *   - counts per final state, orders left unfinished (must be 0), create calls per order at the
 *     aggregator (must be 1: never submitted twice), the ledger verifier's verdict;
 *   - with the kill: the orders in flight at the kill and when the last reached a final state
 *     (target within 15 s of the kill).
 * The simulator runs in this process (the built one); users are made and funded through the
 * built libs. Run `npm run build` first; needs local Postgres and Redis (database
 * bourse_bench_orders_<pid> and a Redis prefix of its own, removed at the end).
 */
const { spawn } = require('node:child_process');
const path = require('node:path');
const { setTimeout: delay } = require('node:timers/promises');
const { AbortSignal } = globalThis;
const { stopAll, track, waitForOk } = require('../lib/processes');
const { databaseUrl, scratch } = require('../lib/scratch');

const ROOT = path.resolve(__dirname, '../..');
const CLI_DIST = path.join(ROOT, 'dist/apps/cli');
const API_MAIN = path.join(ROOT, 'dist/apps/api/apps/api/src/main.js');
const WORKER_MAIN = path.join(ROOT, 'dist/apps/worker/apps/worker/src/main.js');
const ORDERS = Number(process.env.BENCH_ORDERS ?? 1000);
const RATE = Number(process.env.BENCH_RATE ?? 50);
const KILL = process.env.BENCH_KILL !== '0';
const RESTART_MS = Number(process.env.BENCH_RESTART_MS ?? 2000);
const API_PORT = Number(process.env.BENCH_API_PORT ?? 3234);
const WORKER_PORTS = [3235, 3236];
const USERS = 20;
const DRAIN_TIMEOUT_MS = 5 * 60_000;
const DB = `bourse_bench_orders_${process.pid}`;
const made = scratch('orders', [DB]);
const PHONE = '+525512345670';

const percentile = (sorted, p) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN;
const ms = (n) => `${Math.round(n)} ms`;

async function main() {
  const setupStarted = Date.now();
  await made.recreate(DB);
  const { DtOneSimulator } = require(path.join(CLI_DIST, 'simulators/dtone/dtone.simulator.js'));
  const dtone = new DtOneSimulator({
    apiKey: 'bench-key',
    apiSecret: 'bench-secret',
    latencyMs: [200, 2000],
    failureRate: 0.05,
  });
  await dtone.start();
  const env = {
    ...process.env,
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    DATABASE_URL: databaseUrl(DB),
    DATABASE_POOL_SIZE: '16',
    REDIS_KEY_PREFIX: made.prefix,
    MARKET_PROVIDER: 'none',
    // The relay's poll is on the path twice (submit, callback): Bourse's share moves with it.
    OUTBOX_RELAY_INTERVAL_MS: '20',
    RATE_LIMIT_PER_MINUTE: '1000000',
    AUTH_RATE_LIMIT_PER_MINUTE: '1000000',
    WEBHOOK_RATE_LIMIT_PER_MINUTE: '1000000',
    API_PORT: String(API_PORT),
    API_METRICS_PORT: '0',
    TOPUP_DTONE_API_URL: dtone.url,
    TOPUP_DTONE_API_KEY: 'bench-key',
    TOPUP_DTONE_API_SECRET: 'bench-secret',
    TOPUP_CALLBACK_BASE_URL: `http://127.0.0.1:${API_PORT}`,
  };
  const libs = path.join(CLI_DIST, 'libs');
  const platform = require(path.join(libs, 'platform/src/index.js'));
  const ledger = require(path.join(libs, 'ledger/src/index.js'));
  const { MIGRATIONS } = require(path.join(CLI_DIST, 'migrations/index.js'));
  const { NestFactory } = require('@nestjs/core');
  const { DataSource } = require('typeorm');
  const config = platform.loadConfig(env, [ledger.LEDGER_CONFIG]);
  const source = new DataSource(
    platform.dataSourceOptions(config.database, { migrations: MIGRATIONS }),
  );
  await source.initialize();
  await source.runMigrations();
  await source.destroy();

  const api = track(
    spawn(process.execPath, [API_MAIN], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] }),
    'api',
  );
  const startWorker = (n) => {
    const worker = track(
      spawn(process.execPath, [WORKER_MAIN], {
        cwd: ROOT,
        env: { ...env, WORKER_PORT: String(WORKER_PORTS[n]), WORKER_METRICS_PORT: '0' },
        stdio: ['ignore', 'ignore', 'pipe'],
      }),
      `worker ${n + 1}`,
    );

    return waitForOk(`http://127.0.0.1:${WORKER_PORTS[n]}/health/ready`, worker, 60_000).then(
      () => worker,
    );
  };
  await waitForOk(`http://127.0.0.1:${API_PORT}/health/ready`, api, 60_000);
  const workers = await Promise.all([startWorker(0), startWorker(1)]);

  class BenchModule {}
  const app = await NestFactory.createApplicationContext(
    {
      module: BenchModule,
      imports: [
        platform.ConfigModule.forRoot(config),
        platform.DatabaseModule,
        platform.RedisModule,
        platform.QueueModule,
        platform.AuthModule,
        ledger.LedgerModule,
      ],
    },
    { logger: false, abortOnError: false },
  );
  const db = app.get(platform.Database);
  // A request that fails (an overloaded machine) is counted as refused, not fatal.
  const call = async (method, url, token, body) => {
    try {
      const res = await fetch(`http://127.0.0.1:${API_PORT}${url}`, {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(30_000),
      });

      return { status: res.status, body: await res.json() };
    } catch (error) {
      return { status: 0, body: { code: error.name } };
    }
  };

  // Consumers with funded wallets, signed in over HTTP.
  const accounts = app.get(ledger.AccountsService);
  const transfers = app.get(ledger.TransfersService);
  const house = await accounts.ensureSystemAccount('house', 'USD');
  const tokens = [];
  for (let n = 0; n < USERS; n += 1) {
    const email = `bench-${n}-${process.pid}@example.com`;
    const user = await app
      .get(platform.AuthService)
      .createUser({ email, password: 'bench password long enough', role: 'user' });
    const wallet = await accounts.ensureWallet(user.id, 'USD');
    await transfers.transfer({
      id: platform.newId(),
      debitAccountId: house.id,
      creditAccountId: wallet.id,
      amount: 100_000_000n,
      asset: 'USD',
      code: 'deposit',
    });
    const login = await call('POST', '/v1/auth/login', undefined, {
      email,
      password: 'bench password long enough',
    });
    tokens.push(login.body.accessToken);
  }
  console.log(`set up in ${((Date.now() - setupStarted) / 1000).toFixed(0)} s`);
  const products = await call('GET', `/v1/topup/products?phone=%2B525512345670`, tokens[0]);
  const productIds = products.body.products.map((p) => p.id);

  console.log(
    `${ORDERS} orders at ${RATE}/s, two workers${KILL ? `, worker 1 killed at order ${ORDERS / 2} and restarted ${RESTART_MS} ms later` : ''}`,
  );
  const placed = [];
  const refused = [];
  let kill;
  const started = Date.now();
  const inFlight = [];
  for (let n = 0; n < ORDERS; n += 1) {
    const due = started + (n * 1000) / RATE;
    await delay(Math.max(0, due - Date.now()));
    if (KILL && n === ORDERS / 2) {
      kill = { at: Date.now() };
      kill.open = (
        await db.manager.query(
          `SELECT id FROM topup_orders WHERE state NOT IN ('delivered', 'refunded', 'cancelled', 'expired')`,
        )
      ).map((row) => row.id);
      workers[0].kill('SIGKILL');
      kill.restarted = delay(RESTART_MS)
        .then(() => startWorker(0))
        .then(
          () => Date.now() - kill.at,
          () => undefined,
        );
    }
    const token = tokens[n % USERS];
    inFlight.push(
      (async () => {
        const quote = await call('POST', '/v1/topup/quotes', token, {
          productId: productIds[n % productIds.length],
          phone: PHONE,
        });
        const order =
          quote.status === 201
            ? await call('POST', '/v1/topup/orders', token, { quoteId: quote.body.id })
            : quote;
        (order.status === 201 ? placed : refused).push(order.body.id ?? order.body.code);
      })(),
    );
  }
  await Promise.all(inFlight);
  const placedSeconds = (Date.now() - started) / 1000;

  const open = async () =>
    (
      await db.manager.query(
        `SELECT count(*)::int AS n FROM topup_orders
          WHERE state NOT IN ('delivered', 'refunded', 'cancelled', 'expired')`,
      )
    )[0].n;
  const deadline = Date.now() + DRAIN_TIMEOUT_MS;
  while ((await open()) > 0 && Date.now() < deadline) {
    await delay(250);
  }
  await dtone.settled();

  const rows = await db.manager.query(
    `SELECT id, state, aggregator_ref AS ref,
            extract(epoch FROM delivered_at - paid_at) * 1000 AS "paidToDelivered",
            extract(epoch FROM updated_at) * 1000 AS "finishedAt"
       FROM topup_orders`,
  );
  const byState = {};
  rows.forEach((row) => (byState[row.state] = (byState[row.state] ?? 0) + 1));
  const delivered = rows.filter((row) => row.state === 'delivered');
  const total = delivered.map((row) => row.paidToDelivered).sort((a, b) => a - b);
  const own = delivered
    .map((row) => row.paidToDelivered - (dtone.transactions.get(Number(row.ref))?.latencyMs ?? 0))
    .sort((a, b) => a - b);
  const creates = new Map();
  dtone.submissions.forEach((id) => creates.set(id, (creates.get(id) ?? 0) + 1));
  const twice = [...creates.values()].filter((count) => count > 1).length;
  const report = await app.get(ledger.StatementsService).verifyInvariants();

  console.log(
    `placed ${placed.length} in ${placedSeconds.toFixed(1)} s (${(placed.length / placedSeconds).toFixed(1)}/s), refused ${refused.length} ${JSON.stringify([...new Set(refused)])}`,
  );
  console.log(
    `paid → delivered: p50 ${ms(percentile(total, 50))}, p99 ${ms(percentile(total, 99))} (target p99 <= 5000 ms)`,
  );
  console.log(
    `Bourse's own share: p50 ${ms(percentile(own, 50))}, p99 ${ms(percentile(own, 99))} (target p99 <= 250 ms without the kill)`,
  );
  console.log(`final states: ${JSON.stringify(byState)}; unfinished ${await open()}`);
  console.log(
    `aggregator create calls: ${dtone.submissions.length} for ${creates.size} orders, submitted twice ${twice}`,
  );
  console.log(`ledger verifier: ${report.ok ? 'clean' : JSON.stringify(report)}`);
  if (kill) {
    const states = new Map(rows.map((row) => [row.id, row]));
    const last = Math.max(...kill.open.map((id) => states.get(id)?.finishedAt ?? Infinity));
    console.log(
      `kill: ${kill.open.length} orders in flight; the last reached a final state ${ms(last - kill.at)} after the kill (target <= 15000 ms); the restarted worker was ready ${ms((await kill.restarted) ?? NaN)} after the kill`,
    );
  }
  await app.close();
  await dtone.stop();
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
