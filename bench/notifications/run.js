'use strict';
/**
 * Partner webhooks on this machine, against issue 17's targets: BENCH_EVENTS events (default
 * 10,000) published, each to one of 100 partner endpoints (`publish(tx, type, payload,
 * ownerFilter)` with the partner as owner), through the built worker to a local receiver that
 * answers 5 % of requests 500 (with `Retry-After: 1`, so retries come back within the run rather
 * than after the schedule's 5 s and 5 min). It prints:
 *   - first-attempt latency after commit, p50/p99 (target p99 <= 1 s): from the publishing
 *     transaction's commit to the receiver getting the event's first request;
 *   - exactly-once delivery: every event succeeded once, counted by the receiver by webhook-id
 *     (a duplicate is a 2xx answered twice for one id), and none lost after the retries.
 * Publishing runs in this process (the built libs, a Nest context with NotificationsModule);
 * every request's signature is checked by the receiver with the `standardwebhooks` package.
 * BENCH_RATE (events/s, default unlimited) paces the publishing: unlimited measures the backlog
 * a burst builds when publishing outruns the worker, a rate below its capacity the latency
 * itself. The worker's and this process's CPU seconds are printed beside the wall time, to show
 * where the time goes. Run `npm run build` first; needs local Postgres and Redis (database bourse_bench_notif_<pid>
 * and a Redis prefix of its own, removed at the end). The worker's health port is
 * BENCH_WORKER_PORT (default 3221, which must be free: another process answering there would
 * pass for the worker) and its metrics port any free one. While the deliveries drain it prints
 * their progress, and stops early if the worker exits or nothing is delivered for a minute.
 */
const { Buffer } = require('node:buffer');
const { spawn } = require('node:child_process');
const { createServer } = require('node:http');
const net = require('node:net');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { clearInterval, setInterval } = require('node:timers');
const { setTimeout: delay } = require('node:timers/promises');
const { Webhook } = require('standardwebhooks');
const { cpuSeconds, stopAll, track, waitForOk } = require('../lib/processes');
const { databaseUrl, scratch } = require('../lib/scratch');

const ROOT = path.resolve(__dirname, '../..');
const DIST = path.join(ROOT, 'dist/apps/worker/libs');
const WORKER_MAIN = path.join(ROOT, 'dist/apps/worker/apps/worker/src/main.js');
const EVENTS = Number(process.env.BENCH_EVENTS ?? 10_000);
const ENDPOINTS = 100;
const FAILURE_RATE = 0.05;
const PUBLISHERS = 8; // concurrent publishing transactions
const RATE = Number(process.env.BENCH_RATE ?? 0); // events/s, 0: as fast as the publishers go
// Attempts the worker makes at once; each holds one of its database connections meanwhile.
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const WORKER_PORT = Number(process.env.BENCH_WORKER_PORT ?? 3221);
const DRAIN_TIMEOUT_MS = 10 * 60_000;
const STALL_MS = 60_000; // no delivery for this long: the worker is stuck, stop waiting
const DB = `bourse_bench_notif_${process.pid}`;
const made = scratch('notif', [DB]);

/** Refuses a port something already listens on (it would answer the readiness probe). */
function assertFree(port) {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', () => reject(new Error(`port ${port} is taken: set BENCH_WORKER_PORT`)));
    probe.listen(port, '127.0.0.1', () => probe.close(resolve));
  });
}

/** The last lines a child wrote on `stream` (its JSON logs), for when it dies. */
function keepTail(stream, lines = 20) {
  const tail = [];
  stream.on('data', (chunk) => {
    tail.push(...chunk.toString().split('\n').filter(Boolean));
    tail.splice(0, Math.max(0, tail.length - lines));
  });

  return tail;
}

const percentile = (sorted, p) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

/** The partners' servers: one HTTP server, a path per endpoint; counts by webhook-id. */
function receiver(secrets) {
  const firstSeen = new Map(); // webhook-id -> ms of the first request
  const succeeded = new Map(); // webhook-id -> 2xx answers
  let requests = 0;
  let badSignatures = 0;
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      requests += 1;
      const at = performance.timeOrigin + performance.now();
      const id = req.headers['webhook-id'];
      const secret = secrets.get(req.url);
      try {
        new Webhook(secret).verify(Buffer.concat(chunks).toString(), req.headers);
      } catch {
        badSignatures += 1;
      }
      if (!firstSeen.has(id)) {
        firstSeen.set(id, at);
      }
      if (Math.random() < FAILURE_RATE) {
        res.writeHead(500, { 'retry-after': '1' }).end('busy');
        return;
      }
      succeeded.set(id, (succeeded.get(id) ?? 0) + 1);
      res.writeHead(200).end('ok');
    });
  });

  return { server, firstSeen, succeeded, stats: () => ({ requests, badSignatures }) };
}

async function main() {
  await made.recreate(DB);
  const env = {
    ...process.env,
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    DATABASE_URL: databaseUrl(DB),
    DATABASE_POOL_SIZE: '12',
    REDIS_KEY_PREFIX: made.prefix,
    MARKET_PROVIDER: 'none',
    OUTBOX_RELAY_INTERVAL_MS: '50',
    WEBHOOKS_ALLOW_LOOPBACK: 'true',
    WEBHOOKS_CONCURRENCY: String(CONCURRENCY),
    WORKER_PORT: String(WORKER_PORT),
    WORKER_METRICS_PORT: '0',
  };
  await assertFree(WORKER_PORT);
  const platform = require(path.join(DIST, 'platform/src/index.js'));
  const notifications = require(path.join(DIST, 'notifications/src/index.js'));
  const { MIGRATIONS } = require(path.join(DIST, '../migrations/index.js'));
  const { NestFactory } = require('@nestjs/core');
  const { DataSource } = require('typeorm');
  const config = platform.loadConfig(env, [notifications.NOTIFICATIONS_CONFIG]);
  const source = new DataSource(
    platform.dataSourceOptions(config.database, { migrations: MIGRATIONS }),
  );
  await source.initialize();
  await source.runMigrations();

  // The partners: one endpoint each, owned by `apikey:<n>`, on the receiver.
  const secrets = new Map();
  const recv = receiver(secrets);
  await new Promise((resolve) => recv.server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${recv.server.address().port}`;
  for (let n = 0; n < ENDPOINTS; n += 1) {
    const secret = notifications.newWebhookSecret();
    secrets.set(`/p${n}`, secret);
    await source.query(
      `INSERT INTO webhook_endpoints (id, owner, url, event_types, secret)
       VALUES ($1, $2, $3, ARRAY['bench.event'], $4)`,
      [platform.newId(), `apikey:partner-${n}`, `${base}/p${n}`, secret],
    );
  }
  await source.destroy();

  const worker = track(
    spawn(process.execPath, [WORKER_MAIN], {
      cwd: ROOT,
      env: { ...env, DATABASE_POOL_SIZE: String(CONCURRENCY + 8) },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
    'worker',
  );
  const workerLog = keepTail(worker.stdout);
  await waitForOk(`http://127.0.0.1:${WORKER_PORT}/health/ready`, worker, 60_000).catch((error) => {
    throw new Error(`${error.message}\n${workerLog.join('\n')}`);
  });

  class BenchModule {}
  const app = await NestFactory.createApplicationContext(
    {
      module: BenchModule,
      imports: [
        platform.ConfigModule.forRoot(config),
        platform.DatabaseModule,
        platform.RedisModule,
        platform.QueueModule,
        platform.ObservabilityModule.forRoot(() => 0), // /metrics on any free port
        platform.SocketsModule,
        notifications.NotificationsModule,
      ],
    },
    { logger: false, abortOnError: false },
  );
  const db = app.get(platform.Database);
  const webhooks = app.get(notifications.WebhooksService);

  console.log(
    `publishing ${EVENTS} events to ${ENDPOINTS} endpoints (${PUBLISHERS} publishers, ${RATE ? `${RATE} events/s` : 'unpaced'})`,
  );
  const committedAt = new Map(); // webhook-id -> ms of the commit
  let next = 0;
  const started = Date.now();
  // Says how far publishing got, so a stall there shows as one.
  const publishing = setInterval(
    () => console.log(`  published ${committedAt.size}/${EVENTS}`),
    30_000,
  );
  const workerCpuBefore = cpuSeconds(worker.pid);
  const ownCpuBefore = process.cpuUsage();
  await Promise.all(
    Array.from({ length: PUBLISHERS }, async () => {
      while (next < EVENTS) {
        const n = next++;
        if (RATE) {
          await delay(Math.max(0, started + (n * 1000) / RATE - Date.now()));
        }
        const id = await db.transaction(undefined, (tx) =>
          webhooks.publish(tx, 'bench.event', { n }, `apikey:partner-${n % ENDPOINTS}`),
        );
        committedAt.set(notifications.webhookId(id), performance.timeOrigin + performance.now());
      }
    }),
  );
  clearInterval(publishing);
  const publishSeconds = (Date.now() - started) / 1000;
  console.log(
    `published in ${publishSeconds.toFixed(1)} s (${Math.round(EVENTS / publishSeconds)} events/s)`,
  );

  // Drains, saying how far it got, so a stuck worker shows as one and not as a silent wait.
  const deadline = Date.now() + DRAIN_TIMEOUT_MS;
  let lastCount = -1;
  let lastProgress = Date.now();
  let lastReport = Date.now();
  while (recv.succeeded.size < EVENTS && Date.now() < deadline) {
    if (worker.exitCode !== null || worker.signalCode !== null) {
      throw new Error(`the worker exited while delivering:\n${workerLog.join('\n')}`);
    }
    if (recv.succeeded.size !== lastCount) {
      lastCount = recv.succeeded.size;
      lastProgress = Date.now();
    } else if (Date.now() - lastProgress > STALL_MS) {
      console.log(`no delivery for ${STALL_MS / 1000} s; the worker's last lines:`);
      console.log(workerLog.join('\n'));
      break;
    }
    if (Date.now() - lastReport >= 10_000) {
      lastReport = Date.now();
      console.log(`  delivered ${recv.succeeded.size}/${EVENTS}`);
    }
    await delay(200);
  }
  const drainedSeconds = (Date.now() - started) / 1000;
  const workerCpu = cpuSeconds(worker.pid) - workerCpuBefore;
  const ownCpu = process.cpuUsage(ownCpuBefore);
  // Let stray duplicates, if any, arrive before counting.
  await delay(2000);
  const [{ pending }] = await db.manager.query(
    `SELECT count(*)::int AS pending FROM webhook_deliveries WHERE state <> 'succeeded'`,
  );
  await app.close();

  const latencies = [...committedAt]
    .map(([id, at]) => recv.firstSeen.get(id) - at)
    .filter((ms) => Number.isFinite(ms))
    .sort((a, b) => a - b);
  const duplicates = [...recv.succeeded.values()].filter((count) => count > 1).length;
  const lost = [...committedAt.keys()].filter((id) => !recv.succeeded.has(id)).length;
  const { requests, badSignatures } = recv.stats();
  recv.server.close();
  console.log(
    `first attempt after commit: p50 ${percentile(latencies, 50).toFixed(0)} ms, p99 ${percentile(latencies, 99).toFixed(0)} ms (target p99 <= 1000 ms)`,
  );
  console.log(
    `all delivered after ${drainedSeconds.toFixed(1)} s; CPU seconds meanwhile: worker ${workerCpu.toFixed(1)}, publishers and receiver ${((ownCpu.user + ownCpu.system) / 1e6).toFixed(1)}`,
  );
  console.log(
    `requests ${requests} (${requests - EVENTS} retries), bad signatures ${badSignatures}`,
  );
  console.log(
    `delivered exactly once: ${recv.succeeded.size - duplicates}/${EVENTS}, duplicates ${duplicates}, lost ${lost}, deliveries not succeeded ${pending}`,
  );
}

/** Stops the worker and removes the scratch database and keys, once, however the run ends. */
let cleaning;
const cleanUp = () => (cleaning ??= stopAll().then(() => made.cleanUp()));
// Ctrl-C or a `timeout` mid-run would otherwise leave the database and the worker behind.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    console.error(`${signal}: stopping`);
    void cleanUp().finally(() => process.exit(130));
  });
}

main()
  .catch((error) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(cleanUp);
