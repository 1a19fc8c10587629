'use strict';
/**
 * Ledger throughput on this machine: LedgerService in-process (built dist, a pool of 20
 * connections) with 16 concurrent clients posting simple transfers between 10,000 funded user
 * wallets, then the same with the house account on one side of every transfer (the hot-account
 * case its shards exist for), then transferMany with batches of 1,000; and, as the yardstick on
 * the same Postgres, pgbench's built-in TPC-B-like script with 16 clients. Run `npm run build`
 * first; needs local Postgres (the databases bourse_bench_ledger and bourse_bench_pgbench are
 * dropped and recreated). BENCH_SECONDS sets each phase's length (default 20).
 */
const { execFileSync } = require('node:child_process');
const { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } = require('node:fs');
const { randomUUID, randomInt } = require('node:crypto');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '../..');
const DIST = path.join(ROOT, 'dist/apps/api/libs');
const PGBENCH = '/usr/lib/postgresql/15/bin/pgbench';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const CLIENTS = 16;
const POOL_SIZE = 20; // >= CLIENTS, plus room for the context's own queries
const USERS = 10_000;
const BATCH = 1000;
const BATCH_CLIENTS = 2; // one per core: a 1,000-transfer batch keeps its connection busy
const FUNDING = 1_000_000_000n;
const LEDGER_DB = 'bourse_bench_ledger';
const PGBENCH_DB = 'bourse_bench_pgbench';

const baseUrl = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/bourse');
const urlOf = (database) => Object.assign(new URL(baseUrl), { pathname: `/${database}` });

async function recreate(database) {
  const { Client } = require('pg');
  const admin = new Client({ connectionString: urlOf('postgres').toString() });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${database}`);
  } finally {
    await admin.end();
  }
}

/** p50/p99 in ms of latencies recorded in ns (bigint deltas turned into numbers). */
function percentile(sorted, p) {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] : NaN;
}

/** `clients` loops calling `op` back to back for SECONDS; throughput and latency percentiles. */
async function load(clients, op, perOp = 1) {
  const latencies = [];
  let failures = 0;
  const started = process.hrtime.bigint();
  const deadline = started + BigInt(SECONDS * 1e9);
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
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  latencies.sort((a, b) => a - b);

  return {
    perSecond: (latencies.length * perOp) / elapsed,
    ops: latencies.length,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    failures,
  };
}

async function bootLedger() {
  const env = {
    ...process.env,
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    DATABASE_URL: urlOf(LEDGER_DB).toString(),
    DATABASE_POOL_SIZE: String(POOL_SIZE),
  };
  const { loadConfig, dataSourceOptions, ConfigModule, DatabaseModule } = require(
    path.join(DIST, 'platform/src/index.js'),
  );
  const { LedgerModule, LedgerService } = require(path.join(DIST, 'ledger/src/index.js'));
  const { NestFactory } = require('@nestjs/core');
  const { DataSource } = require('typeorm');
  const config = loadConfig(env);

  const source = new DataSource(dataSourceOptions(config.database, [], 'bourse-bench'));
  await source.initialize();
  await source.runMigrations();
  await source.destroy();

  class BenchModule {}
  const app = await NestFactory.createApplicationContext(
    { module: BenchModule, imports: [ConfigModule.forRoot(config), DatabaseModule, LedgerModule] },
    { logger: false },
  );

  return { app, ledger: app.get(LedgerService), config };
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

function pgbench() {
  const conn = [
    '-h',
    baseUrl.hostname,
    '-p',
    baseUrl.port || '5432',
    '-U',
    baseUrl.username || 'postgres',
  ];
  const env = { ...process.env, PGPASSWORD: decodeURIComponent(baseUrl.password) };
  // Scale 16: one branch row per client, as TPC-B intends (fewer would measure lock waits).
  execFileSync(PGBENCH, ['-i', '-q', '-s', String(CLIENTS), ...conn, PGBENCH_DB], {
    env,
    stdio: 'ignore',
  });
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

async function main() {
  if (!existsSync(path.join(DIST, 'ledger/src/index.js'))) {
    throw new Error('dist/apps/api/libs/ledger is missing: run `npm run build` first');
  }
  console.log(`preparing ${LEDGER_DB} (fresh, migrated)`);
  await recreate(LEDGER_DB);
  const { app, ledger } = await bootLedger();
  try {
    const house = await ledger.ensureSystemAccount('house', 'USD');
    const setupStart = Date.now();
    const wallets = [];
    for (let i = 0; i < USERS; i += BATCH) {
      const accounts = await Promise.all(
        Array.from({ length: Math.min(BATCH, USERS - i) }, () =>
          ledger.createAccount({ asset: 'USD', owner: randomUUID(), kind: 'user_wallet' }),
        ),
      );
      wallets.push(...accounts.map((a) => a.id));
      const results = await ledger.transferMany(
        accounts.map((a) => ({ ...simple(house.id, a.id), amount: FUNDING, code: 'bench.fund' })),
      );
      if (results.some((r) => !r.ok)) {
        throw new Error(`funding failed: ${JSON.stringify(results.find((r) => !r.ok))}`);
      }
    }
    console.log(
      `${USERS} wallets opened and funded in ${((Date.now() - setupStart) / 1000).toFixed(1)} s`,
    );

    console.log(`${CLIENTS} clients, ${SECONDS} s each phase`);
    const userToUser = await load(CLIENTS, () => ledger.transfer(simple(...pair(wallets))));
    const hot = await load(CLIENTS, () =>
      ledger.transfer(simple(house.id, wallets[randomInt(wallets.length)])),
    );
    const batches = await load(
      BATCH_CLIENTS,
      async () => {
        const results = await ledger.transferMany(
          Array.from({ length: BATCH }, () => simple(...pair(wallets))),
        );
        if (results.some((r) => !r.ok)) {
          throw new Error(`batch member refused: ${JSON.stringify(results.find((r) => !r.ok))}`);
        }
      },
      BATCH,
    );
    const report = await ledger.verifyInvariants();

    console.log(`preparing ${PGBENCH_DB} (pgbench -i -s ${CLIENTS})`);
    await recreate(PGBENCH_DB);
    const tpcb = pgbench();

    const row = (name, r, unit) =>
      `${name.padEnd(58)} ${Math.round(r.perSecond).toString().padStart(7)} ${unit}/s   ` +
      `p50 ${r.p50.toFixed(1)} ms   p99 ${r.p99.toFixed(1)} ms   (${r.ops} ops, ${r.failures} failed)`;
    const cpus = os.cpus();
    console.log('');
    console.log(row(`transfer(), user -> user, ${CLIENTS} clients`, userToUser, 'transfers'));
    console.log(row(`transfer(), house -> user (hot), ${CLIENTS} clients`, hot, 'transfers'));
    console.log(
      row(
        `transferMany(${BATCH}), ${BATCH_CLIENTS} clients (latency per batch)`,
        batches,
        'transfers',
      ),
    );
    console.log(row(`pgbench TPC-B-like, ${CLIENTS} clients, -M extended`, tpcb, 'tx'));
    console.log(
      `ledger invariants after the run: ${report.ok ? 'hold' : 'VIOLATED'} (${report.accountsChecked} accounts)`,
    );
    console.log(
      `caveat: ${cpus.length} cores (${cpus[0]?.model.trim()}), node ${process.version}; the clients ` +
        'and Postgres share this machine, and each ledger transfer is several statements in one ' +
        "transaction against TPC-B's five; compare orders of magnitude, not digits.",
    );
  } finally {
    await app.close();
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
});
