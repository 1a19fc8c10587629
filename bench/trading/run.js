'use strict';
/**
 * Trading on live simulated prices, end to end over HTTP, in one run:
 *   - the built worker (MARKET_PROVIDER=simulated: live XAU/XAG ticks into Redis, the outbox relay
 *     and the custody instructions), the built api, and the custody simulator, all on 127.0.0.1;
 *   - BENCH_USERS (500) users who registered over HTTP, were approved KYC tier `basic` (written
 *     straight into kyc_cases: the review flow is not what is measured) and funded in USD from
 *     clearing through the ledger;
 *   - an open loop starting BENCH_RATE (100) trades a second for BENCH_SECONDS (60): a random user
 *     quotes (`POST /v1/trading/quotes`, by weight) and executes the quote
 *     (`POST /v1/trading/orders` with an Idempotency-Key), buying, or selling gold or silver they
 *     hold; quote, order and quote→order latencies are recorded (target: order p99 <= 50 ms);
 *   - then `ledger:verify` (the invariant checker) must be clean, and once the outbox has drained
 *     the custody simulator's statement must equal the users' ledger balances per metal.
 * Run `npm run build` first; needs local Postgres and Redis (the database
 * bourse_bench_trading_<pid> and a Redis prefix of its own, removed at the end). Ports: api
 * BENCH_API_PORT (3130), worker 3131, custody simulator 3132, metrics 3133-3134.
 */
const { execFileSync, spawn } = require('node:child_process');
const { randomInt, randomUUID } = require('node:crypto');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { setTimeout: delay } = require('node:timers/promises');
const { Client } = require('pg');
const { stop, stopAll, track, waitForOk } = require('../lib/processes');
const { databaseUrl, scratch } = require('../lib/scratch');

const ROOT = path.resolve(__dirname, '../..');
const API_MAIN = path.join(ROOT, 'dist/apps/api/apps/api/src/main.js');
const WORKER_MAIN = path.join(ROOT, 'dist/apps/worker/apps/worker/src/main.js');
const CLI_MAIN = path.join(ROOT, 'dist/apps/cli/apps/cli/src/main.js');
const USERS = Number(process.env.BENCH_USERS ?? 500);
const RATE = Number(process.env.BENCH_RATE ?? 100);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const HOST = '127.0.0.1';
const API_PORT = Number(process.env.BENCH_API_PORT ?? 3130);
const WORKER_PORT = API_PORT + 1;
const CUSTODY_PORT = API_PORT + 2;
const TARGET_ORDER_P99_MS = 50;
const DB = `bourse_bench_trading_${process.pid}`;
const FUNDING_CENTS = 2_000_000n; // $20,000 each: far more than a minute of small trades spends
const METALS = { XAU: '100', XAG: '5000' }; // milligrams per trade: ~$8.5 of gold, ~$5 of silver
const CUSTODY_KEY = 'bench-custody-key';

const made = scratch('trading', [DB]);
const api = `http://${HOST}:${API_PORT}`;

const env = {
  ...process.env,
  NODE_ENV: 'development',
  LOG_LEVEL: 'warn',
  HOST,
  DATABASE_URL: databaseUrl(DB),
  REDIS_KEY_PREFIX: made.prefix,
  API_PORT: String(API_PORT),
  WORKER_PORT: String(WORKER_PORT),
  API_METRICS_PORT: String(API_PORT + 3),
  WORKER_METRICS_PORT: String(API_PORT + 4),
  RATE_LIMIT_PER_MINUTE: '10000000',
  AUTH_RATE_LIMIT_PER_MINUTE: '10000000',
  MARKET_PROVIDER: 'simulated',
  KYC_VENDOR: 'none',
  TRADING_CUSTODY_API_URL: `http://${HOST}:${CUSTODY_PORT}`,
  TRADING_CUSTODY_API_KEY: CUSTODY_KEY,
};

function percentile(sorted, p) {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] : NaN;
}

const ms = (value) => `${value.toFixed(1)} ms`;

function start(name, args) {
  const child = track(
    spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] }),
    name,
  );

  return child;
}

/** Waits for a TCP listener (the custody simulator answers 401 without its key). */
async function waitForPort(port, child) {
  for (let i = 0; i < 150; i++) {
    if (child.exitCode !== null) {
      throw new Error(`${child.benchName} exited with ${child.exitCode}:\n${child.stderrText}`);
    }
    if (
      await fetch(`http://${HOST}:${port}/`).then(
        () => true,
        () => false,
      )
    ) {
      return;
    }
    await delay(200);
  }
  throw new Error(`nothing listens on ${port}`);
}

async function call(method, route, token, body, headers = {}) {
  const res = await fetch(`${api}${route}`, {
    method,
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();

  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** Registers USERS users over HTTP, a few at a time (each pays for one scrypt). */
async function registerUsers() {
  const users = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < USERS) {
        next += 1;
        const res = await call('POST', '/v1/auth/register', undefined, {
          email: `bench-${randomUUID()}@example.com`,
          password: 'a long enough bench password',
        });
        if (res.status !== 201 && res.status !== 200) {
          throw new Error(`register: ${res.status} ${JSON.stringify(res.body)}`);
        }
        users.push({
          id: res.body.user.id,
          token: res.body.accessToken,
          held: { XAU: 0n, XAG: 0n },
        });
      }
    }),
  );

  return users;
}

/** Tier basic for every user, and USD from clearing through the ledger's own function. */
async function approveAndFund(users) {
  const pg = new Client({ connectionString: databaseUrl(DB) });
  await pg.connect();
  try {
    await pg.query(
      `INSERT INTO kyc_cases (id, user_id, state, tier)
       SELECT gen_random_uuid(), unnest($1::uuid[]), 'approved', 'basic'`,
      [users.map((u) => u.id)],
    );
  } finally {
    await pg.end();
  }
  const { loadConfig, ConfigModule, DatabaseModule } = require(
    path.join(ROOT, 'dist/apps/api/libs/platform/src/index.js'),
  );
  const { AccountsService, LEDGER_CONFIG, LedgerModule, TransfersService } = require(
    path.join(ROOT, 'dist/apps/api/libs/ledger/src/index.js'),
  );
  const { NestFactory } = require('@nestjs/core');
  const config = loadConfig(env, [LEDGER_CONFIG]);
  class FundingModule {}
  const app = await NestFactory.createApplicationContext(
    {
      module: FundingModule,
      imports: [ConfigModule.forRoot(config), DatabaseModule, LedgerModule],
    },
    { logger: false },
  );
  try {
    const accounts = app.get(AccountsService);
    const transfers = app.get(TransfersService);
    const clearing = await accounts.ensureSystemAccount('psp_clearing', 'USD');
    for (const user of users) {
      const wallet = await accounts.ensureWallet(user.id, 'USD');
      await transfers.transfer({
        id: randomUUID(),
        debitAccountId: clearing.id,
        creditAccountId: wallet.id,
        amount: FUNDING_CENTS,
        asset: 'USD',
        code: 'deposit',
      });
    }
  } finally {
    await app.close();
  }
}

/** One trade: quote then order; buys unless the user holds enough to sell (then a coin toss). */
async function trade(user, stats) {
  const metal = randomInt(2) === 0 ? 'XAU' : 'XAG';
  const weight = METALS[metal];
  const side = user.held[metal] >= BigInt(weight) && randomInt(2) === 0 ? 'sell' : 'buy';
  if (side === 'sell') {
    user.held[metal] -= BigInt(weight); // reserved before the call: no concurrent oversell
  }
  const t0 = performance.now();
  const quote = await call('POST', '/v1/trading/quotes', user.token, { metal, side, weight });
  const t1 = performance.now();
  if (quote.status !== 201) {
    stats.refused[`quote ${quote.status} ${quote.body?.code}`] =
      (stats.refused[`quote ${quote.status} ${quote.body?.code}`] ?? 0) + 1;
    if (side === 'sell') {
      user.held[metal] += BigInt(weight);
    }

    return;
  }
  const order = await call(
    'POST',
    '/v1/trading/orders',
    user.token,
    { quoteId: quote.body.id },
    {
      'idempotency-key': randomUUID(),
    },
  );
  const t2 = performance.now();
  if (order.status !== 201) {
    stats.refused[`order ${order.status} ${order.body?.code}`] =
      (stats.refused[`order ${order.status} ${order.body?.code}`] ?? 0) + 1;
    if (side === 'sell') {
      user.held[metal] += BigInt(weight);
    }

    return;
  }
  if (side === 'buy') {
    user.held[metal] += BigInt(weight);
  }
  stats.quote.push(t1 - t0);
  stats.order.push(t2 - t1);
  stats.total.push(t2 - t0);
  stats[side] += 1;
}

/** Starts RATE trades a second for SECONDS, without waiting for one to finish to start the next. */
async function openLoop(users) {
  const stats = { quote: [], order: [], total: [], buy: 0, sell: 0, refused: {}, late: 0 };
  const inFlight = new Set();
  const started = performance.now();
  const total = RATE * SECONDS;
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 0) {
      await delay(wait);
    } else if (wait < -100) {
      stats.late += 1;
    }
    const user = users[randomInt(users.length)];
    const running = trade(user, stats).catch((error) => {
      stats.refused[error.message] = (stats.refused[error.message] ?? 0) + 1;
    });
    inFlight.add(running);
    void running.finally(() => inFlight.delete(running));
  }
  await Promise.all(inFlight);
  stats.elapsed = (performance.now() - started) / 1000;

  return stats;
}

/** The custodian's statement against the users' ledger balances, once the outbox is drained. */
async function custodyCheck() {
  const pg = new Client({ connectionString: databaseUrl(DB) });
  await pg.connect();
  try {
    for (let i = 0; i < 300; i++) {
      const { rows } = await pg.query(
        `SELECT count(*)::int AS n FROM outbox WHERE queue = 'trading' AND completed_at IS NULL`,
      );
      if (rows[0].n === 0) {
        break;
      }
      await delay(200);
    }
    const { rows } = await pg.query(
      `SELECT a.asset, sum(b.credits_posted - b.debits_posted)::text AS mg
         FROM ledger_accounts a JOIN ledger_balances b ON b.account_id = a.id
        WHERE a.kind = 'user_wallet' AND a.asset IN ('XAU', 'XAG') GROUP BY a.asset`,
    );
    const res = await fetch(
      `http://${HOST}:${CUSTODY_PORT}/v1/custody/accounts/BOURSE-CLIENT-METALS-01/statement`,
      { headers: { authorization: `Bearer ${CUSTODY_KEY}` } },
    );
    const statement = await res.json();
    const held = Object.fromEntries(
      statement.positions.map((p) => [
        p.instrument,
        p.quantity.replace('.', '').replace(/^0+(?=\d)/, ''),
      ]),
    );

    return rows.map((r) => ({ metal: r.asset, ledger: r.mg, custodian: held[r.asset] ?? '0' }));
  } finally {
    await pg.end();
  }
}

async function main() {
  console.log(
    `bench:trading: ${USERS} users, ${RATE} trades/s for ${SECONDS} s on live simulated prices`,
  );
  await made.recreate(DB);
  execFileSync(process.execPath, [CLI_MAIN, 'db:migrate'], { cwd: ROOT, env, stdio: 'ignore' });
  const custody = start('custody', [CLI_MAIN, 'custody:simulator']);
  const worker = start('worker', [WORKER_MAIN]);
  const apiProcess = start('api', [API_MAIN]);
  await waitForPort(CUSTODY_PORT, custody);
  await waitForOk(`http://${HOST}:${WORKER_PORT}/health/ready`, worker, 60_000);
  await waitForOk(`${api}/health/ready`, apiProcess, 60_000);

  const t0 = performance.now();
  const users = await registerUsers();
  await approveAndFund(users);
  console.log(
    `  ${users.length} users registered, approved and funded in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  // A few seconds of live ticks before the first quote.
  await delay(3000);

  const stats = await openLoop(users);
  const sorted = (list) => [...list].sort((a, b) => a - b);
  const [quote, order, total] = [sorted(stats.quote), sorted(stats.order), sorted(stats.total)];
  const executed = stats.buy + stats.sell;
  console.log(
    `  executed ${executed} orders (${stats.buy} buys, ${stats.sell} sells) in ${stats.elapsed.toFixed(1)} s: ${(executed / stats.elapsed).toFixed(1)}/s; started late (>100 ms): ${stats.late}`,
  );
  console.log(
    `  quote call   p50 ${ms(percentile(quote, 0.5))}  p99 ${ms(percentile(quote, 0.99))}`,
  );
  console.log(
    `  order call   p50 ${ms(percentile(order, 0.5))}  p99 ${ms(percentile(order, 0.99))}`,
  );
  console.log(
    `  quote→order  p50 ${ms(percentile(total, 0.5))}  p99 ${ms(percentile(total, 0.99))}`,
  );
  console.log(`  refused: ${JSON.stringify(stats.refused)}`);

  const verify = execFileSync(process.execPath, [CLI_MAIN, 'ledger:verify'], { cwd: ROOT, env })
    .toString()
    .trim();
  console.log(`  ${verify.split('\n')[0]}`);
  const custodyRows = await custodyCheck();
  const custodyClean = custodyRows.every((r) => r.ledger === r.custodian);
  console.log(
    `  custody: ${custodyRows.map((r) => `${r.metal} ledger ${r.ledger} mg, custodian ${r.custodian} mg`).join('; ')} (${custodyClean ? 'equal' : 'DIFFERENT'})`,
  );
  const met = percentile(order, 0.99) <= TARGET_ORDER_P99_MS;
  console.log(
    `  target order p99 <= ${TARGET_ORDER_P99_MS} ms: ${met ? 'met' : 'NOT met'}; ledger verifier ${verify.includes('hold') ? 'clean' : 'NOT clean'}`,
  );
  await stop(apiProcess);
  await stop(worker);
  await stop(custody);

  return verify.includes('hold') && custodyClean && executed > 0 ? 0 : 1;
}

process.once('SIGINT', () => {
  void stopAll()
    .then(() => made.cleanUp())
    .finally(() => process.exit(130));
});
main()
  .catch((error) => {
    console.error(error);

    return 1;
  })
  .then(async (code) => {
    await stopAll();
    await made.cleanUp();
    process.exit(code);
  });
