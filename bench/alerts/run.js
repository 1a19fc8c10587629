'use strict';
/**
 * Price alerts on this machine, against issue 21's targets. BENCH_RULES active rules (default
 * 100,000) over 50 symbols, one rule per user and symbol (2,000 users), crossing levels spread
 * over ±20 % of the start price; the bench publishes ticks on the market tick channel at
 * BENCH_TICKS_PER_SECOND in total (default 50, a random walk per symbol) to the built worker
 * (the evaluator, all partitions) and the built api (/alerts).
 *   1. Live: every user connected to /alerts for BENCH_SECONDS (default 30): tick -> event
 *      delivered p50/p99 (from the tick's time to the client receiving it; target p99 <= 500 ms),
 *      the worker's CPU (target: under one core) and rules examined per tick.
 *   2. Reconnect: every client disconnects; two sweeps of one symbol across all its levels fire
 *      an event for every user while offline; then the 2,000 clients reconnect at once with
 *      their `lastSeq`: time until every one holds its stream's last seq, duplicates and gaps
 *      (targets: 0 and 0).
 * Run `npm run build` first; needs local Postgres and Redis (database bourse_bench_alerts_<pid>
 * and a Redis prefix of its own, removed at the end).
 */
const { spawn } = require('node:child_process');
const { randomUUID } = require('node:crypto');
const path = require('node:path');
const { setTimeout: delay } = require('node:timers/promises');
const jwt = require('jsonwebtoken');
const Redis = require('ioredis');
const { io } = require('socket.io-client');
const { cpuSeconds, stopAll, track, waitForOk } = require('../lib/processes');
const { databaseUrl, scratch } = require('../lib/scratch');

const ROOT = path.resolve(__dirname, '../..');
const DIST = path.join(ROOT, 'dist/apps/worker');
const WORKER_MAIN = path.join(DIST, 'apps/worker/src/main.js');
const API_MAIN = path.join(ROOT, 'dist/apps/api/apps/api/src/main.js');
const HOST = '127.0.0.1';
const RULES = Number(process.env.BENCH_RULES ?? 100_000);
const SYMBOLS = 50;
const USERS = RULES / SYMBOLS;
const TICKS_PER_SECOND = Number(process.env.BENCH_TICKS_PER_SECOND ?? 50);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
// The api's port; the api's metrics, the worker and its metrics take the next three.
const API_PORT = Number(process.env.BENCH_API_PORT ?? 3190);
const API_METRICS_PORT = API_PORT + 1;
const WORKER_PORT = API_PORT + 2;
const WORKER_METRICS_PORT = API_PORT + 3;
const JWT_SECRET = 'bench-only-secret-0123456789abcdef0123456789';
const START = 100_00; // price in cents: 100.00
const DB = `bourse_bench_alerts_${process.pid}`;
const made = scratch('alerts', [DB]);

const percentile = (sorted, p) =>
  sorted.length === 0
    ? NaN
    : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const cents = (n) => `${Math.floor(n / 100)}.${String(n % 100).padStart(2, '0')}`;
const symbolName = (s) => `SYM${String(s).padStart(2, '0')}`;
const OPERATORS = ['crossing', 'crossing_up', 'crossing_down'];

/** One user's connection: the seqs it got, counting duplicates and gaps as they come. */
class Client {
  constructor(userId, token) {
    this.userId = userId;
    this.token = token;
    this.lastSeq = 0;
    this.lastId = undefined;
    this.duplicates = 0;
    this.gaps = 0;
    this.latencies = [];
  }

  connect(measure) {
    return new Promise((resolve, reject) => {
      const socket = io(`http://${HOST}:${API_PORT}/alerts`, {
        auth: { token: this.token, lastSeq: this.lastSeq, lastEventId: this.lastId },
        transports: ['websocket'],
        reconnection: false,
        forceNew: true,
      });
      this.socket = socket;
      socket.on('alert', (event) => {
        if (event.seq <= this.lastSeq) {
          this.duplicates += 1;
          return;
        }
        if (event.seq !== this.lastSeq + 1) {
          this.gaps += 1;
        }
        this.lastSeq = event.seq;
        this.lastId = event.id;
        if (measure()) {
          this.latencies.push(Date.now() - Date.parse(event.triggeredAt));
        }
      });
      socket.once('ready', resolve);
      socket.once('connect_error', reject);
      socket.once('disconnect', (reason) =>
        reject(new Error(`disconnected before ready: ${reason}`)),
      );
    });
  }

  disconnect() {
    this.socket?.disconnect();
  }
}

async function metric(name) {
  const text = await fetch(`http://${HOST}:${WORKER_METRICS_PORT}/metrics`).then((r) => r.text());
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));

  return line ? Number(line.split(' ')[1]) : 0;
}

async function main() {
  await made.recreate(DB);
  const env = {
    ...process.env,
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    DATABASE_URL: databaseUrl(DB),
    DATABASE_POOL_SIZE: '16',
    REDIS_KEY_PREFIX: made.prefix,
    MARKET_PROVIDER: 'none',
    OUTBOX_RELAY_INTERVAL_MS: '50',
    JWT_SECRET,
    ALERTS_MAX_CONNECTIONS_PER_IP: String(USERS * 2),
    ALERTS_MAX_ACTIVE_PER_USER: String(SYMBOLS),
    SOCKET_EVENTS_PER_SECOND: '1000',
  };
  const platform = require(path.join(DIST, 'libs/platform/src/index.js'));
  const { MIGRATIONS } = require(path.join(DIST, 'migrations/index.js'));
  const { DataSource } = require('typeorm');
  const source = new DataSource(
    platform.dataSourceOptions(platform.loadConfig(env, []).database, { migrations: MIGRATIONS }),
  );
  await source.initialize();
  await source.runMigrations();

  // Users and rules: user u has one rule per symbol, its level uniform over ±20 % of the start.
  const users = Array.from({ length: USERS }, () => randomUUID());
  await source.query(
    `INSERT INTO users (id, email, password_hash, role)
     SELECT u, 'bench-' || u || '@example.com', '-', 'user' FROM unnest($1::uuid[]) u`,
    [users],
  );
  const started = Date.now();
  for (let s = 0; s < SYMBOLS; s += 1) {
    const levels = users.map(() => cents(START - 20_00 + Math.floor(Math.random() * 40_00)));
    await source.query(
      `INSERT INTO alert_rules (id, user_id, symbol, operator, value, timeframe, frequency,
         min_interval_seconds, channels, status, armed_after_seq, armed_after_ts)
       SELECT gen_random_uuid(), u, $2, ($4::text[])[1 + (n % 3)], v, '1m', 'every_time', 0,
              '{}', 'active', 0, 0
       FROM unnest($1::uuid[], $3::text[]) WITH ORDINALITY AS t(u, v, n)`,
      [users, symbolName(s), levels, OPERATORS],
    );
  }
  await source.destroy();
  console.log(
    `${RULES} rules for ${USERS} users over ${SYMBOLS} symbols in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );

  const worker = track(
    spawn(process.execPath, [WORKER_MAIN], {
      cwd: ROOT,
      env: {
        ...env,
        WORKER_PORT: String(WORKER_PORT),
        WORKER_METRICS_PORT: String(WORKER_METRICS_PORT),
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    }),
    'worker',
  );
  const api = track(
    spawn(process.execPath, [API_MAIN], {
      cwd: ROOT,
      env: { ...env, API_PORT: String(API_PORT), API_METRICS_PORT: String(API_METRICS_PORT) },
      stdio: ['ignore', 'ignore', 'pipe'],
    }),
    'api',
  );
  await waitForOk(`http://${HOST}:${WORKER_PORT}/health/ready`, worker, 90_000);
  await waitForOk(`http://${HOST}:${API_PORT}/health/ready`, api, 90_000);

  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  const channel = `${made.prefix}:market:ticks`;
  const prices = Array.from({ length: SYMBOLS }, () => START);
  const seqs = Array.from({ length: SYMBOLS }, () => 0);
  const publish = (s, price) => {
    seqs[s] += 1;
    prices[s] = price;
    return redis.publish(
      channel,
      JSON.stringify({ symbol: symbolName(s), price: cents(price), ts: Date.now(), seq: seqs[s] }),
    );
  };
  // Ticks at the rate, round robin over the symbols, each a ±2-cent step (0.02 %).
  let ticking = true;
  let sent = 0;
  const ticker = (async () => {
    const t0 = Date.now();
    while (ticking) {
      const s = sent % SYMBOLS;
      await publish(s, prices[s] + Math.floor(Math.random() * 5) - 2);
      sent += 1;
      const wait = t0 + (sent * 1000) / TICKS_PER_SECOND - Date.now();
      if (wait > 0) {
        await delay(wait);
      }
    }
  })();

  // Phase 1: everyone connected, live.
  const clients = users.map(
    (u) =>
      new Client(
        u,
        jwt.sign({ sub: u, role: 'user', sid: randomUUID() }, JWT_SECRET, {
          algorithm: 'HS256',
          expiresIn: 3600,
        }),
      ),
  );
  let measuring = false;
  for (let i = 0; i < clients.length; i += 200) {
    await Promise.all(clients.slice(i, i + 200).map((c) => c.connect(() => measuring)));
  }
  console.log(`${clients.length} clients connected to /alerts`);
  await delay(3000); // warm-up: symbols loaded, first ticks evaluated
  const [ticks0, examined0, cpu0] = [
    await metric('alerts_ticks_evaluated_total'),
    await metric('alerts_rules_examined_total'),
    cpuSeconds(worker.pid),
  ];
  const apiCpu0 = cpuSeconds(api.pid);
  measuring = true;
  const t1 = Date.now();
  await delay(SECONDS * 1000);
  measuring = false;
  const elapsed = (Date.now() - t1) / 1000;
  const [ticks1, examined1, cpu1] = [
    await metric('alerts_ticks_evaluated_total'),
    await metric('alerts_rules_examined_total'),
    cpuSeconds(worker.pid),
  ];
  const apiCpu1 = cpuSeconds(api.pid);
  ticking = false;
  await ticker;
  const latencies = clients.flatMap((c) => c.latencies).sort((a, b) => a - b);
  const evaluated = ticks1 - ticks0;
  console.log(
    `live: ${(evaluated / elapsed).toFixed(1)} ticks/s evaluated (published ${TICKS_PER_SECOND}/s), ${latencies.length} events delivered (${(latencies.length / elapsed).toFixed(1)}/s)`,
  );
  console.log(
    `tick -> delivered: p50 ${percentile(latencies, 50)} ms, p99 ${percentile(latencies, 99)} ms, max ${latencies.at(-1)} ms (target p99 <= 500 ms)`,
  );
  console.log(
    `worker CPU ${((cpu1 - cpu0) / elapsed).toFixed(2)} cores (target < 1), api CPU ${((apiCpu1 - apiCpu0) / elapsed).toFixed(2)} cores; rules examined per tick ${(evaluated ? (examined1 - examined0) / evaluated : 0).toFixed(1)} of ${RULES / SYMBOLS} per symbol`,
  );

  // Phase 2: everyone offline; two sweeps of SYM00 across all its levels fire for every user.
  await delay(1000);
  clients.forEach((c) => c.disconnect());
  await delay(500);
  await publish(0, START - 25_00);
  await publish(0, START + 25_00);
  await publish(0, START - 25_00);
  console.log(
    'offline: SYM00 swept down, up and down across every level; waiting for the streams to settle',
  );
  const db = new DataSource(platform.dataSourceOptions(platform.loadConfig(env, []).database, {}));
  await db.initialize();
  const lastSeqs = async () =>
    new Map(
      (await db.query(`SELECT user_id, last_seq FROM alert_streams`)).map((r) => [
        r.user_id,
        Number(r.last_seq),
      ]),
    );
  // Settled: the sweeps evaluated (SYM00's stored tick is the last one sent).
  for (;;) {
    const [state] = await db.query(
      `SELECT last_seq FROM alert_symbol_state WHERE symbol = 'SYM00'`,
    );
    if (Number(state?.last_seq) === seqs[0]) {
      break;
    }
    await delay(200);
  }
  const targets = await lastSeqs();
  const missed = clients.map((c) => (targets.get(c.userId) ?? 0) - c.lastSeq);
  const withMissed = missed.filter((n) => n > 0).length;
  const totalMissed = missed.reduce((a, b) => a + b, 0);
  const duplicatesBefore = clients.reduce((a, c) => a + c.duplicates, 0);
  const gapsBefore = clients.reduce((a, c) => a + c.gaps, 0);
  console.log(`reconnecting ${clients.length} clients at once`);
  const t2 = Date.now();
  await Promise.all(clients.map((c) => c.connect(() => false)));
  const connectedIn = Date.now() - t2;
  const deadline = Date.now() + 5 * 60_000;
  while (clients.some((c) => c.lastSeq < (targets.get(c.userId) ?? 0)) && Date.now() < deadline) {
    await delay(20);
  }
  const caughtUpIn = Date.now() - t2;
  await delay(2000); // stray duplicates, if any
  const behind = clients.filter((c) => c.lastSeq < (targets.get(c.userId) ?? 0)).length;
  console.log(
    `reconnect: ${clients.length} clients at once, ${withMissed} with missed events (${totalMissed} in all); all connected in ${connectedIn} ms, all caught up in ${caughtUpIn} ms, still behind ${behind}`,
  );
  console.log(
    `duplicates ${clients.reduce((a, c) => a + c.duplicates, 0)} (live phase ${duplicatesBefore}), gaps ${clients.reduce((a, c) => a + c.gaps, 0)} (live phase ${gapsBefore}) (targets 0 and 0)`,
  );
  clients.forEach((c) => c.disconnect());
  await db.destroy();
  redis.disconnect();
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
