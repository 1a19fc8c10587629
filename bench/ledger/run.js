'use strict';
/**
 * Ledger throughput on this machine, against the issue's targets, in one run:
 *   1. TransfersService.transfer() in-process (built dist, a pool of 20 connections), 16 clients,
 *      simple transfers between 10,000 funded user wallets;
 *   2. the same with the house account (sharded) on one side of every transfer, taking turns with
 *      phase 1 (four slices each), so the two compare under the same machine conditions;
 *   3. transferMany with batches of 100, then of 1,000;
 *   4. the same simple transfers over HTTP: the built api (LOG_LEVEL=info, as in production,
 *      its request log written to a file), POST /v1/ledger/transfers with a fresh id and
 *      Idempotency-Key per request, autocannon with 16 connections, an admin's bearer token,
 *      after 3 s of the same load to warm the api up;
 *   5. the yardstick: pgbench's built-in TPC-B-like script on the same Postgres, 16 clients,
 *      -M extended (node-postgres sends unnamed extended-protocol statements), run right after
 *      each phase compared with it (1, 3 and 4), each ratio taken against its own run.
 * Every phase and every pgbench run starts on a vacuumed, checkpointed database (quiesce()).
 * The invariant checker (what `npm run ledger:verify` runs) is run after every phase. Run
 * `npm run build` first; needs local Postgres and Redis (the databases bourse_bench_ledger_<pid> and
 * bourse_bench_pgbench_<pid> and a Redis prefix of its own, all removed at the end). BENCH_SECONDS sets
 * each phase's length (default 20).
 */
const { execFileSync, spawn } = require('node:child_process');
const {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
} = require('node:fs');
const { randomUUID, randomInt } = require('node:crypto');
const os = require('node:os');
const path = require('node:path');
const { cpuSeconds, stop, stopAll, track, waitForOk } = require('../lib/processes');
const { databaseUrl, scratch } = require('../lib/scratch');

const ROOT = path.resolve(__dirname, '../..');
const DIST = path.join(ROOT, 'dist/apps/api/libs');
const API_MAIN = path.join(ROOT, 'dist/apps/api/apps/api/src/main.js');
const CLI_MAIN = path.join(ROOT, 'dist/apps/cli/apps/cli/src/main.js');
const PGBENCH = '/usr/lib/postgresql/15/bin/pgbench';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const CLIENTS = 16;
const POOL_SIZE = 20; // >= CLIENTS, plus room for the context's own queries
const USERS = 10_000;
const SMALL_BATCH = 100;
const BATCH = 1000;
const BATCH_CLIENTS = 2; // one per core: a batch keeps its connection busy
const HTTP_WARMUP_SECONDS = 3;
const TURNS = 4; // user -> user and hot alternate in this many slices
const FUNDING = 1_000_000_000n;
const LEDGER_DB = `bourse_bench_ledger_${process.pid}`;
const PGBENCH_DB = `bourse_bench_pgbench_${process.pid}`;
const HOST = '127.0.0.1';
const API_PORT = Number(process.env.BENCH_API_PORT ?? 3110);
const BOOT_TIMEOUT_MS = 30_000;
const TARGETS = { transfer: 0.7, hot: 0.8, http: 0.5, batch: 3 };

const baseUrl = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/bourse');
const made = scratch('ledger', [LEDGER_DB, PGBENCH_DB]);

/** p50/p99 in ms of latencies recorded in ns (bigint deltas turned into numbers). */
function percentile(sorted, p) {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] : NaN;
}

/** `clients` loops calling `op` back to back for `seconds`: ops, elapsed time and latencies. */
async function run(clients, op, seconds) {
  const latencies = [];
  let failures = 0;
  const started = process.hrtime.bigint();
  const deadline = started + BigInt(Math.round(seconds * 1e9));
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (process.hrtime.bigint() < deadline) {
        const t0 = process.hrtime.bigint();
        try {
          await op();
        } catch (error) {
          failures += 1;
          if (failures === 1) {
            console.error(`  first failure: ${error instanceof Error ? error.message : error}`);
          }
          continue;
        }
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
    }),
  );

  return { latencies, failures, elapsed: Number(process.hrtime.bigint() - started) / 1e9 };
}

/** Throughput and latency percentiles of one or more runs of the same load. */
function summary(runs, perOp = 1) {
  const latencies = runs.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const elapsed = runs.reduce((sum, r) => sum + r.elapsed, 0);

  return {
    perSecond: (latencies.length * perOp) / elapsed,
    ops: latencies.length,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    failures: runs.reduce((sum, r) => sum + r.failures, 0),
  };
}

/** `clients` loops calling `op` back to back for SECONDS; throughput and latency percentiles. */
async function load(clients, op, perOp = 1) {
  return summary([await run(clients, op, SECONDS)], perOp);
}

/**
 * Loads that are compared with each other, in turns (SECONDS in all for each, in TURNS slices),
 * so a drift of this shared machine's speed during the phase weighs on both alike.
 */
async function loadInTurns(clients, ops) {
  const runs = ops.map(() => []);
  for (let turn = 0; turn < TURNS; turn++) {
    for (const [i, op] of ops.entries()) {
      runs[i].push(await run(clients, op, SECONDS / TURNS));
    }
  }

  return runs.map((r) => summary(r));
}

async function bootLedger() {
  const env = {
    ...process.env,
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    DATABASE_URL: databaseUrl(LEDGER_DB),
    DATABASE_POOL_SIZE: String(POOL_SIZE),
    REDIS_KEY_PREFIX: made.prefix,
  };
  const { loadConfig, dataSourceOptions, ConfigModule, DatabaseModule } = require(
    path.join(DIST, 'platform/src/index.js'),
  );
  const {
    AccountsService,
    LEDGER_CONFIG,
    LedgerModule,
    StatementsService,
    TransfersService,
  } = require(path.join(DIST, 'ledger/src/index.js'));
  const { MIGRATIONS } = require(path.join(DIST, '../migrations/index.js'));
  const { NestFactory } = require('@nestjs/core');
  const { DataSource } = require('typeorm');
  const config = loadConfig(env, [LEDGER_CONFIG]);

  const source = new DataSource(
    dataSourceOptions(config.database, { migrations: MIGRATIONS, applicationName: 'bourse-bench' }),
  );
  await source.initialize();
  await source.runMigrations();
  await source.destroy();

  class BenchModule {}
  const app = await NestFactory.createApplicationContext(
    { module: BenchModule, imports: [ConfigModule.forRoot(config), DatabaseModule, LedgerModule] },
    { logger: false },
  );

  return {
    app,
    accounts: app.get(AccountsService),
    transfers: app.get(TransfersService),
    statements: app.get(StatementsService),
    config,
  };
}

const simple = (debitAccountId, creditAccountId) => ({
  id: randomUUID(),
  debitAccountId,
  creditAccountId,
  amount: 1n,
  asset: 'USD',
  code: 'bench',
});

/** Two distinct random wallets. */
function pair(wallets) {
  const a = randomInt(wallets.length);
  const b = (a + 1 + randomInt(wallets.length - 1)) % wallets.length;

  return [wallets[a], wallets[b]];
}

function pgbenchArgs() {
  const conn = [
    '-h',
    baseUrl.hostname,
    '-p',
    baseUrl.port || '5432',
    '-U',
    baseUrl.username || 'postgres',
  ];
  const env = { ...process.env, PGPASSWORD: decodeURIComponent(baseUrl.password) };

  return { conn, env };
}

/** pgbench's tables, at scale 16: one branch row per client, as TPC-B intends (fewer would measure lock waits). */
function pgbenchInit() {
  const { conn, env } = pgbenchArgs();
  execFileSync(PGBENCH, ['-i', '-q', '-s', String(CLIENTS), ...conn, PGBENCH_DB], {
    env,
    stdio: 'ignore',
  });
}

/**
 * Run before every measured phase: the ledger database vacuumed (the dead rows of the phase before)
 * and every dirty page written out, so no phase pays for the one before it. pgbench vacuums its own
 * tables before each run; this makes the two sides alike, whichever came first.
 */
async function quiesce() {
  const { Client } = require('pg');
  const client = new Client({ connectionString: databaseUrl(LEDGER_DB) });
  await client.connect();
  try {
    await client.query('VACUUM (ANALYZE)');
    await client.query('CHECKPOINT');
  } finally {
    await client.end();
  }
}

/** One timed TPC-B-like run on the tables pgbenchInit made, after quiesce(). */
async function pgbench() {
  await quiesce();
  const { conn, env } = pgbenchArgs();
  const logDir = mkdtempSync(path.join(os.tmpdir(), 'bourse-pgbench-'));
  try {
    const out = execFileSync(
      PGBENCH,
      [
        '-c',
        String(CLIENTS),
        '-j',
        '2',
        '-T',
        String(SECONDS),
        '-M',
        'extended',
        '-l',
        `--log-prefix=${path.join(logDir, 'tx')}`,
        ...conn,
        PGBENCH_DB,
      ],
      { env, cwd: logDir, maxBuffer: 16 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] },
    ).toString();
    const tps = Number(/tps = ([\d.]+) \(without initial connection time\)/.exec(out)?.[1]);
    // Per-transaction log: client, transaction number, latency in µs, ...
    const latencies = readdirSync(logDir)
      .flatMap((file) => readFileSync(path.join(logDir, file), 'utf8').trim().split('\n'))
      .map((line) => Number(line.split(' ')[2]) / 1000)
      .sort((a, b) => a - b);

    return {
      perSecond: tps,
      ops: latencies.length,
      p50: percentile(latencies, 0.5),
      p99: percentile(latencies, 0.99),
      failures: 0,
    };
  } finally {
    rmSync(logDir, { recursive: true, force: true });
  }
}

/** The built api on the bench database, its request log in a file; resolves once it is ready. */
async function startApi(logFile) {
  const logFd = openSync(logFile, 'w');
  const api = spawn(process.execPath, [API_MAIN], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'development',
      LOG_LEVEL: 'info',
      HOST,
      API_PORT: String(API_PORT),
      DATABASE_URL: databaseUrl(LEDGER_DB),
      DATABASE_POOL_SIZE: String(POOL_SIZE),
      REDIS_KEY_PREFIX: made.prefix,
      // Every request comes from 127.0.0.1: the per-IP limit would measure the limiter.
      RATE_LIMIT_PER_MINUTE: '100000000',
    },
    stdio: ['ignore', logFd, logFd],
  });
  closeSync(logFd);
  track(api, 'api');
  try {
    await waitForOk(`http://${HOST}:${API_PORT}/health/ready`, api, BOOT_TIMEOUT_MS);
  } catch (error) {
    await stop(api);
    throw new Error(`${error.message}\n${readFileSync(logFile, 'utf8')}`);
  }

  return { stop: () => stop(api), pid: api.pid };
}

/** Seeds the demo admin with the built cli and signs in: a bearer token for the ledger routes. */
async function adminToken() {
  const env = {
    ...process.env,
    NODE_ENV: 'development',
    DATABASE_URL: databaseUrl(LEDGER_DB),
    REDIS_KEY_PREFIX: made.prefix,
  };
  execFileSync(process.execPath, [CLI_MAIN, 'db:seed'], { cwd: ROOT, env, stdio: 'ignore' });
  const { loadConfig } = require(path.join(DIST, 'platform/src/index.js'));
  const { SEED_CONFIG } = require(path.join(ROOT, 'dist/apps/cli/apps/cli/src/seed.config.js'));
  const { seed } = loadConfig(env, [SEED_CONFIG]);
  const res = await fetch(`http://${HOST}:${API_PORT}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: seed.adminEmail, password: seed.adminPassword }),
  });
  if (!res.ok) {
    throw new Error(`login failed: ${res.status} ${await res.text()}`);
  }

  return (await res.json()).accessToken;
}

/**
 * autocannon on POST /v1/ledger/transfers: each request a new transfer id and Idempotency-Key.
 * `seconds` of load; a first, uncounted call warms the api up (its JIT) as the in-process phases
 * are warmed by the ones before them.
 */
async function httpLoad(wallets, token, seconds) {
  const autocannon = require('autocannon');
  const result = await autocannon({
    url: `http://${HOST}:${API_PORT}`,
    connections: CLIENTS,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        path: '/v1/ledger/transfers',
        setupRequest: (req) => {
          const [debitAccountId, creditAccountId] = pair(wallets);
          const id = randomUUID();

          return {
            ...req,
            headers: {
              authorization: `Bearer ${token}`,
              'content-type': 'application/json',
              'idempotency-key': id,
            },
            body: JSON.stringify({
              id,
              debitAccountId,
              creditAccountId,
              amount: '1',
              asset: 'USD',
              code: 'bench',
            }),
          };
        },
      },
    ],
  });
  const created = result.statusCodeStats['201']?.count ?? 0;
  const failures = result.requests.total - created + result.errors + result.timeouts;
  if (failures) {
    console.error(`  http: ${JSON.stringify(result.statusCodeStats)}, ${result.errors} errors`);
  }

  return {
    perSecond: created / seconds,
    ops: created,
    p50: result.latency.p50,
    p99: result.latency.p99,
    failures,
  };
}

async function main() {
  for (const file of [path.join(DIST, 'ledger/src/index.js'), API_MAIN, CLI_MAIN]) {
    if (!existsSync(file)) {
      throw new Error(`${file} is missing: run \`npm run build\` first`);
    }
  }
  console.log(`preparing ${LEDGER_DB} (fresh, migrated)`);
  await made.recreate(LEDGER_DB);
  console.log(`preparing ${PGBENCH_DB} (pgbench -i -s ${CLIENTS})`);
  await made.recreate(PGBENCH_DB);
  pgbenchInit();
  const { app, accounts, transfers, statements } = await bootLedger();
  const verified = [];
  /** The invariant checker after a phase; the summary prints every outcome. */
  const verify = async (phase) => {
    const report = await statements.verifyInvariants();
    const violations = Object.entries(report)
      .filter(([, v]) => Array.isArray(v) && v.length)
      .map(([k, v]) => `${k}: ${v.length}`);
    verified.push(
      `  after ${phase}: ${report.ok ? 'clean' : `VIOLATED (${violations.join(', ')})`}` +
        ` (${report.accountsChecked} accounts)`,
    );
  };
  const results = {};
  const yardsticks = {};
  let apiCpuUs = NaN;
  try {
    const house = await accounts.ensureSystemAccount('house', 'USD');
    const setupStart = Date.now();
    const wallets = [];
    for (let i = 0; i < USERS; i += BATCH) {
      const opened = await Promise.all(
        Array.from({ length: Math.min(BATCH, USERS - i) }, () =>
          accounts.createAccount({ asset: 'USD', owner: randomUUID(), kind: 'user_wallet' }),
        ),
      );
      wallets.push(...opened.map((a) => a.id));
      const funded = await transfers.transferMany(
        opened.map((a) => ({ ...simple(house.id, a.id), amount: FUNDING, code: 'bench.fund' })),
      );
      if (funded.some((r) => !r.ok)) {
        throw new Error(`funding failed: ${JSON.stringify(funded.find((r) => !r.ok))}`);
      }
    }
    console.log(
      `${USERS} wallets opened and funded in ${((Date.now() - setupStart) / 1000).toFixed(1)} s`,
    );

    console.log(`${CLIENTS} clients, ${SECONDS} s each phase`);
    await quiesce();
    [results.transfer, results.hot] = await loadInTurns(CLIENTS, [
      () => transfers.transfer(simple(...pair(wallets))),
      () => transfers.transfer(simple(house.id, wallets[randomInt(wallets.length)])),
    ]);
    await verify('transfer(), user -> user and hot, in turns');
    // The yardstick runs right after each phase it is compared with: this shared machine's speed
    // drifts over minutes, and a ratio should compare two runs made under the same conditions.
    yardsticks.transfer = await pgbench();
    const batchOf = (size) => async () => {
      const done = await transfers.transferMany(
        Array.from({ length: size }, () => simple(...pair(wallets))),
      );
      if (done.some((r) => !r.ok)) {
        throw new Error(`batch member refused: ${JSON.stringify(done.find((r) => !r.ok))}`);
      }
    };
    await quiesce();
    results.batch = await load(BATCH_CLIENTS, batchOf(SMALL_BATCH), SMALL_BATCH);
    await verify(`transferMany(${SMALL_BATCH})`);
    yardsticks.batch = await pgbench();
    await quiesce();
    results.bigBatch = await load(BATCH_CLIENTS, batchOf(BATCH), BATCH);
    await verify(`transferMany(${BATCH})`);

    await quiesce();
    const logDir = mkdtempSync(path.join(os.tmpdir(), 'bourse-bench-api-'));
    try {
      const api = await startApi(path.join(logDir, 'api.log'));
      try {
        const token = await adminToken();
        await httpLoad(wallets, token, HTTP_WARMUP_SECONDS);
        const cpuBefore = cpuSeconds(api.pid);
        results.http = await httpLoad(wallets, token, SECONDS);
        apiCpuUs = ((cpuSeconds(api.pid) - cpuBefore) / results.http.ops) * 1e6;
      } finally {
        await api.stop();
      }
    } finally {
      rmSync(logDir, { recursive: true, force: true });
    }
    await verify('HTTP transfers');
    yardsticks.http = await pgbench();
  } finally {
    await app.close();
  }

  const row = (name, r, unit) =>
    `${name.padEnd(60)} ${Math.round(r.perSecond).toString().padStart(7)} ${unit}/s   ` +
    `p50 ${r.p50.toFixed(1)} ms   p99 ${r.p99.toFixed(1)} ms   (${r.ops} ops, ${r.failures} failed)`;
  const ratio = (name, value, target) =>
    `  ${name.padEnd(58)} ${value.toFixed(2)}  (target >= ${target})  ${value >= target ? 'OK' : 'MISSED'}`;
  const cpus = os.cpus();
  console.log('');
  const tpcb = `pgbench TPC-B-like, ${CLIENTS} clients, -M extended`;
  console.log(row(`transfer(), user -> user, ${CLIENTS} clients`, results.transfer, 'transfers'));
  console.log(row(`  ${tpcb}, right after`, yardsticks.transfer, 'tx'));
  console.log(row(`transfer(), house -> user (hot), ${CLIENTS} clients`, results.hot, 'transfers'));
  console.log(
    row(
      `transferMany(${SMALL_BATCH}), ${BATCH_CLIENTS} clients (latency per batch)`,
      results.batch,
      'transfers',
    ),
  );
  console.log(row(`  ${tpcb}, right after`, yardsticks.batch, 'tx'));
  console.log(
    row(
      `transferMany(${BATCH}), ${BATCH_CLIENTS} clients (latency per batch)`,
      results.bigBatch,
      'transfers',
    ),
  );
  console.log(row(`POST /v1/ledger/transfers, ${CLIENTS} connections`, results.http, 'transfers'));
  console.log(`  (api process CPU: ${apiCpuUs.toFixed(0)} µs per HTTP transfer)`);
  console.log(row(`  ${tpcb}, right after`, yardsticks.http, 'tx'));
  console.log('ratios (each against the pgbench run right after it):');
  const against = (phase) => results[phase].perSecond / yardsticks[phase].perSecond;
  console.log(ratio('transfer() / pgbench', against('transfer'), TARGETS.transfer));
  console.log(
    ratio('hot / user -> user', results.hot.perSecond / results.transfer.perSecond, TARGETS.hot),
  );
  console.log(ratio('HTTP / pgbench', against('http'), TARGETS.http));
  console.log(ratio(`transferMany(${SMALL_BATCH}) / pgbench`, against('batch'), TARGETS.batch));
  console.log('ledger invariants (ledger:verify):');
  verified.forEach((line) => console.log(line));
  console.log(
    `caveat: ${cpus.length} cores (${cpus[0]?.model.trim()}), node ${process.version}; the clients ` +
      '(and, over HTTP, autocannon and the api) share this machine with Postgres; transfer() is one ' +
      'round trip (seven statements inside Postgres), TPC-B-like seven (BEGIN, five statements, END).',
  );
}

process.once('SIGINT', () => {
  void stopAll()
    .then(() => made.cleanUp())
    .finally(() => process.exit(130));
});
main()
  .catch((error) => {
    console.error(error instanceof Error ? error.stack : error);
    process.exitCode = 1;
  })
  .finally(async () => {
    await stopAll();
    await made.cleanUp();
  });
