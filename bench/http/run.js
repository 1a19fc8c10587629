'use strict';
/**
 * What the platform costs per request: the built api (request ids, JSON request logs, metrics,
 * security headers, CORS, the global guards all on) against a bare Fastify hello-world, same
 * route, same load, taking turns on this machine; and a minimal Nest app (one controller, nothing
 * else) to show how much of the gap is the framework itself. BENCH_ROUNDS (default 3) rounds, the
 * medians reported. Run `npm run build` first; needs local Postgres and Redis (its own database
 * bourse_bench_http_<pid> and Redis prefix, removed at the end).
 */
const { spawn, execFileSync } = require('node:child_process');
const { existsSync, mkdtempSync, readFileSync, rmSync, openSync, closeSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const autocannon = require('autocannon');
const { cpuSeconds, stop, stopAll, track, waitForOk } = require('../lib/processes');
const { databaseUrl, scratch } = require('../lib/scratch');

const ROOT = path.resolve(__dirname, '../..');
const API_MAIN = path.join(ROOT, 'dist/apps/api/apps/api/src/main.js');
const CLI_MAIN = path.join(ROOT, 'dist/apps/cli/apps/cli/src/main.js');
const HOST = '127.0.0.1';
const API_PORT = 3100;
const BARE_PORT = 3101;
const NEST_PORT = 3102;
const ROUTE = '/health/live';
const LOAD = { connections: 50, duration: 10 };
const WARMUP = { connections: 50, duration: 2 };
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const BOOT_TIMEOUT_MS = 30_000;
const DATABASE = `bourse_bench_http_${process.pid}`;
const made = scratch('http', [DATABASE]);

const BARE_SERVER = `
const app = require('fastify')();
app.get(${JSON.stringify(ROUTE)}, async () => ({ status: 'ok' }));
app.listen({ port: ${BARE_PORT}, host: ${JSON.stringify(HOST)} });
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
`;

// The framework's own floor: Nest on the same Fastify adapter, one controller, nothing else on.
const NEST_SERVER = `
require('reflect-metadata');
const { Controller, Get, Module } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const { FastifyAdapter } = require('@nestjs/platform-fastify');
class Live { live() { return { status: 'ok' }; } }
Controller()(Live);
Get(${JSON.stringify(ROUTE.slice(1))})(Live.prototype, 'live', Object.getOwnPropertyDescriptor(Live.prototype, 'live'));
class App {}
Module({ controllers: [Live] })(App);
NestFactory.create(App, new FastifyAdapter(), { logger: false }).then(async (app) => {
  app.enableShutdownHooks();
  await app.listen({ port: ${NEST_PORT}, host: ${JSON.stringify(HOST)} });
});
`;

function start(args, env, stdout) {
  return track(
    spawn(process.execPath, args, {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', stdout, 'pipe'],
    }),
    args[0] === '-e' ? 'reference server' : 'api',
  );
}

/** A fresh, migrated database of the bench's own (the cli is built with the api). */
async function prepareDatabase(env) {
  await made.recreate(DATABASE);
  const out = execFileSync(process.execPath, [CLI_MAIN, 'db:migrate'], { cwd: ROOT, env });
  console.log(`  cli db:migrate: ${out.toString().trim()}`);
}

/**
 * Throughput and p99 at saturation, plus the server's CPU time per request: on a shared 2-core
 * machine the latter is the steadier figure, since throughput also depends on the load generator.
 */
async function load(url, pid) {
  await autocannon({ url, ...WARMUP });
  const cpuBefore = cpuSeconds(pid);
  const result = await autocannon({ url, ...LOAD });
  const cpuUs = ((cpuSeconds(pid) - cpuBefore) / result.requests.total) * 1e6;
  if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0) {
    throw new Error(
      `${url}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`,
    );
  }

  return {
    rps: result.requests.average,
    p99: result.latency.p99,
    total: result.requests.total,
    cpuUs,
  };
}

/** The median of `values` (the mean of the middle two for an even count). */
function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);

  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function main() {
  for (const file of [API_MAIN, CLI_MAIN]) {
    if (!existsSync(file)) {
      throw new Error(`${file} is missing: run \`npm run build\` first`);
    }
  }
  const env = {
    NODE_ENV: 'development',
    HOST,
    API_PORT: String(API_PORT),
    LOG_LEVEL: 'info',
    DATABASE_URL: databaseUrl(DATABASE),
    REDIS_KEY_PREFIX: made.prefix,
  };
  console.log(`preparing ${DATABASE}`);
  await prepareDatabase({ ...process.env, ...env });

  // Logs go to a file rather than a terminal: the api writes them as in production, to a pipe-like sink.
  const logDir = mkdtempSync(path.join(os.tmpdir(), 'bourse-bench-'));
  const logFile = path.join(logDir, 'api.log');
  const logFd = openSync(logFile, 'w');
  const servers = [
    {
      name: 'api',
      label: 'api (dist, logs+metrics+ids on)',
      port: API_PORT,
      ready: '/health/ready',
    },
    { name: 'bare', label: 'bare fastify hello-world', port: BARE_PORT, ready: ROUTE },
    { name: 'nest', label: 'minimal nest (one controller)', port: NEST_PORT, ready: ROUTE },
  ];
  try {
    servers[0].process = start([API_MAIN], env, logFd);
    servers[1].process = start(['-e', BARE_SERVER], {}, 'ignore');
    servers[2].process = start(['-e', NEST_SERVER], {}, 'ignore');
    for (const server of servers) {
      await waitForOk(
        `http://${HOST}:${server.port}${server.ready}`,
        server.process,
        BOOT_TIMEOUT_MS,
      );
    }
  } finally {
    closeSync(logFd);
  }
  console.log(
    `api, bare fastify and minimal nest up; ${ROUNDS} rounds of ${LOAD.connections} connections ` +
      `for ${LOAD.duration} s on GET ${ROUTE} against each, in turn`,
  );

  // The servers take turns, round after round (the order rotating), so a drift of this shared
  // machine's speed during the run weighs on all of them alike; each ratio compares one round.
  const rounds = [];
  for (let round = 0; round < ROUNDS; round++) {
    const results = {};
    for (let i = 0; i < servers.length; i++) {
      const server = servers[(round + i) % servers.length];
      results[server.name] = await load(
        `http://${HOST}:${server.port}${ROUTE}`,
        server.process.pid,
      );
    }
    rounds.push(results);
    console.log(
      `  round ${round + 1}: api ${Math.round(results.api.rps)}, bare ${Math.round(results.bare.rps)}, ` +
        `nest ${Math.round(results.nest.rps)} req/s: api/bare ${(results.api.rps / results.bare.rps).toFixed(2)}`,
    );
  }
  const measured = rounds.reduce((sum, r) => sum + r.api.total, 0);
  await Promise.all(servers.map((server) => stop(server.process)));
  const requestLines = readFileSync(logFile, 'utf8').split('"request completed"').length - 1;
  rmSync(logDir, { recursive: true, force: true });

  const ratios = rounds.map((r) => r.api.rps / r.bare.rps);
  const ratio = median(ratios);
  const cpus = os.cpus();
  const row = (server) => {
    const of = (key) => median(rounds.map((r) => r[server.name][key]));

    return (
      `${server.label.padEnd(34)} ${Math.round(of('rps')).toString().padStart(7)} req/s   ` +
      `p99 ${of('p99')} ms   server CPU ${of('cpuUs').toFixed(1)} µs/request`
    );
  };
  console.log('');
  console.log(`medians of ${ROUNDS} rounds:`);
  servers.forEach((server) => console.log(row(server)));
  console.log(
    `ratio api/bare: ${ratio.toFixed(2)} (rounds ${ratios.map((r) => r.toFixed(2)).join(', ')}; ` +
      `target >= 0.60) ${ratio >= 0.6 ? 'OK' : 'BELOW TARGET'}`,
  );
  console.log(
    `minimal nest/bare: ${median(rounds.map((r) => r.nest.rps / r.bare.rps)).toFixed(2)} (the ` +
      "framework's floor, before any of the platform: logs, ids, headers, CORS, guards)",
  );
  console.log(
    `server CPU per request, bare/api: ${median(rounds.map((r) => r.bare.cpuUs / r.api.cpuUs)).toFixed(2)} ` +
      '(the same comparison without the load generator in it)',
  );
  console.log(
    `check: the api logged ${requestLines} "request completed" lines for ${measured} measured requests (+ warm-ups)`,
  );
  console.log(
    `caveat: ${cpus.length} cores (${cpus[0]?.model.trim()}), node ${process.version}; autocannon and the ` +
      'server share this machine, so absolute numbers are low and noisy; compare the ratio.',
  );
}

process.once('SIGINT', () => {
  void stopAll()
    .then(() => made.cleanUp())
    .finally(() => process.exit(130));
});

main()
  .catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  })
  .finally(async () => {
    await stopAll();
    await made.cleanUp();
  });
