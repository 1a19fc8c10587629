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
 * Run `npm run build` first; needs local Postgres and Redis (database bourse_bench_notif_<pid>
 * and a Redis prefix of its own, removed at the end).
 */
const { Buffer } = require('node:buffer');
const { spawn } = require('node:child_process');
const { createServer } = require('node:http');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { setTimeout: delay } = require('node:timers/promises');
const { Webhook } = require('standardwebhooks');
const { stopAll, track, waitForOk } = require('../lib/processes');
const { databaseUrl, scratch } = require('../lib/scratch');

const ROOT = path.resolve(__dirname, '../..');
const DIST = path.join(ROOT, 'dist/apps/worker/libs');
const WORKER_MAIN = path.join(ROOT, 'dist/apps/worker/apps/worker/src/main.js');
const EVENTS = Number(process.env.BENCH_EVENTS ?? 10_000);
const ENDPOINTS = 100;
const FAILURE_RATE = 0.05;
const PUBLISHERS = 8; // concurrent publishing transactions
const WORKER_PORT = Number(process.env.BENCH_WORKER_PORT ?? 3221);
const DRAIN_TIMEOUT_MS = 10 * 60_000;
const DB = `bourse_bench_notif_${process.pid}`;
const made = scratch('notif', [DB]);

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
    DATABASE_POOL_SIZE: '24',
    REDIS_KEY_PREFIX: made.prefix,
    MARKET_PROVIDER: 'none',
    OUTBOX_RELAY_INTERVAL_MS: '50',
    WEBHOOKS_ALLOW_LOOPBACK: 'true',
    WEBHOOKS_CONCURRENCY: '16',
    WORKER_PORT: String(WORKER_PORT),
  };
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
    spawn(process.execPath, [WORKER_MAIN], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] }),
    'worker',
  );
  await waitForOk(`http://127.0.0.1:${WORKER_PORT}/health/ready`, worker, 60_000);

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

  console.log(`publishing ${EVENTS} events to ${ENDPOINTS} endpoints (${PUBLISHERS} publishers)`);
  const committedAt = new Map(); // webhook-id -> ms of the commit
  let next = 0;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: PUBLISHERS }, async () => {
      while (next < EVENTS) {
        const n = next++;
        const id = await db.transaction(undefined, (tx) =>
          webhooks.publish(tx, 'bench.event', { n }, `apikey:partner-${n % ENDPOINTS}`),
        );
        committedAt.set(notifications.webhookId(id), performance.timeOrigin + performance.now());
      }
    }),
  );
  const publishSeconds = (Date.now() - started) / 1000;

  const deadline = Date.now() + DRAIN_TIMEOUT_MS;
  while (recv.succeeded.size < EVENTS && Date.now() < deadline) {
    await delay(200);
  }
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
    `published in ${publishSeconds.toFixed(1)} s (${Math.round(EVENTS / publishSeconds)} events/s)`,
  );
  console.log(
    `first attempt after commit: p50 ${percentile(latencies, 50).toFixed(0)} ms, p99 ${percentile(latencies, 99).toFixed(0)} ms (target p99 <= 1000 ms)`,
  );
  console.log(
    `requests ${requests} (${requests - EVENTS} retries), bad signatures ${badSignatures}`,
  );
  console.log(
    `delivered exactly once: ${recv.succeeded.size - duplicates}/${EVENTS}, duplicates ${duplicates}, lost ${lost}, deliveries not succeeded ${pending}`,
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
