'use strict';
/**
 * Live price fan-out under load: two built api nodes (same Redis prefix) against two bare
 * Socket.IO servers relaying the same Redis channel, with the same publisher and the same client
 * count, one after the other. Clients run in their own processes, split across the two nodes.
 * Prints delivered ticks/s, latency from the tick's `ts` to receipt, seq gaps, and the CPU each
 * process used, so the reader sees which side limited. Run `npm run build` first; needs local
 * Postgres and Redis. Env: FANOUT_CLIENTS (default "1000,5000"), FANOUT_SECONDS (default 15).
 */
const { fork, spawn, execFileSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { setTimeout: delay } = require('node:timers/promises');
const { cpuSeconds, stop, stopAll, track, waitForOk } = require('../lib/processes');

const ROOT = path.resolve(__dirname, '../..');
const API_MAIN = path.join(ROOT, 'dist/apps/api/apps/api/src/main.js');
const CLI_MAIN = path.join(ROOT, 'dist/apps/cli/apps/cli/src/main.js');
const HOST = '127.0.0.1';
const API_PORTS = [3110, 3111];
const BARE_PORTS = [3112, 3113];
const CLIENT_COUNTS = (process.env.FANOUT_CLIENTS ?? '1000,5000').split(',').map(Number);
const SECONDS = Number(process.env.FANOUT_SECONDS ?? 15);
const WARMUP_SECONDS = 3;
const TICKS_PER_SECOND = 20; // 4 symbols x 5 ticks/s, every client subscribed to all four
const BOOT_TIMEOUT_MS = 30_000;
const CONNECT_TIMEOUT_MS = 120_000;
const RUN_TIMEOUT_MS = 15 * 60_000;
const PREFIX = `bourse-bench-fanout-${process.pid}`;

function nextMessage(child, type, timeoutMs) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${child.benchName}: no ${type} in ${timeoutMs} ms`)),
      timeoutMs,
    );
    const onMessage = (message) => {
      if (message.type === 'error') {
        clearTimeout(timer);
        child.off('message', onMessage);
        reject(new Error(`${child.benchName}: ${message.message}`));
      } else if (message.type === type) {
        clearTimeout(timer);
        child.off('message', onMessage);
        resolve(message);
      }
    };
    child.on('message', onMessage);
  });
}

function percentile(histogram, p) {
  const total = histogram.reduce((a, b) => a + b, 0);
  let seen = 0;
  for (let i = 0; i < histogram.length; i++) {
    seen += histogram[i];
    if (seen >= total * p) {
      return i / 10;
    }
  }

  return NaN;
}

/** One measured phase: `clients` connections split over `ports`, then SECONDS of ticks. */
async function phase(name, ports, servers, publisher, clients) {
  const loaders = ports.map((port, i) =>
    track(
      fork(path.join(__dirname, 'fanout-clients.js'), [], {
        env: {
          ...process.env,
          URL: `http://${HOST}:${port}/prices`,
          COUNT: String(Math.floor(clients / ports.length) + (i < clients % ports.length ? 1 : 0)),
        },
        stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
      }),
      `clients->${port}`,
    ),
  );
  try {
    const started = Date.now();
    await Promise.all(
      loaders.map((loader) => {
        const done = nextMessage(loader, 'connected', CONNECT_TIMEOUT_MS);
        loader.send('connect');

        return done;
      }),
    );
    const connectSeconds = (Date.now() - started) / 1000;
    await delay(WARMUP_SECONDS * 1000);
    const processes = [...servers, publisher, ...loaders];
    const cpuBefore = processes.map((p) => cpuSeconds(p.pid));
    loaders.forEach((loader) => loader.send('measure'));
    await delay(SECONDS * 1000);
    const reports = await Promise.all(
      loaders.map((loader) => {
        const done = nextMessage(loader, 'report', 30_000);
        loader.send('report');

        return done;
      }),
    );
    const cpu = processes.map((p, i) => ({
      name: p.benchName,
      percent: ((cpuSeconds(p.pid) - cpuBefore[i]) / SECONDS) * 100,
    }));
    const histogram = reports[0].histogram.map((_, i) =>
      reports.reduce((sum, r) => sum + r.histogram[i], 0),
    );

    return {
      name,
      clients,
      connectSeconds,
      rate: reports.reduce((sum, r) => sum + r.received, 0) / SECONDS,
      expected: clients * TICKS_PER_SECOND,
      p50: percentile(histogram, 0.5),
      p99: percentile(histogram, 0.99),
      gaps: reports.reduce((sum, r) => sum + r.gaps, 0),
      gappedClients: reports.reduce((sum, r) => sum + r.gappedClients, 0),
      cpu,
    };
  } finally {
    loaders.forEach((loader) => loader.connected && loader.send('close'));
    await Promise.all(
      loaders.map((loader) => Promise.race([loader.exited, delay(5000)]).then(() => stop(loader))),
    );
  }
}

function print(result) {
  console.log(
    `  ${result.name.padEnd(22)} ${String(result.clients).padStart(5)} clients  ` +
      `${Math.round(result.rate).toString().padStart(7)} ticks/s (expected ${result.expected})  ` +
      `p50 ${result.p50.toFixed(1)} ms  p99 ${result.p99.toFixed(1)} ms  ` +
      `gaps ${result.gaps} (${result.gappedClients} clients)  connect ${result.connectSeconds.toFixed(1)} s`,
  );
  console.log(`    CPU: ${result.cpu.map((c) => `${c.name} ${c.percent.toFixed(0)}%`).join(', ')}`);
}

async function main() {
  if (!existsSync(API_MAIN) || !existsSync(CLI_MAIN)) {
    throw new Error('dist is missing: run `npm run build` first');
  }
  const databaseUrl = new URL(
    process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/bourse',
  );
  databaseUrl.pathname = '/bourse_bench_fanout';
  const env = {
    ...process.env,
    NODE_ENV: 'development',
    HOST,
    LOG_LEVEL: 'warn',
    DATABASE_URL: databaseUrl.toString(),
    REDIS_KEY_PREFIX: PREFIX,
    PRICES_MAX_CONNECTIONS_PER_IP: '100000',
  };
  console.log('preparing bourse_bench_fanout');
  for (const command of ['db:create', 'db:migrate']) {
    execFileSync(process.execPath, [CLI_MAIN, command], { cwd: ROOT, env, stdio: 'ignore' });
  }

  const apis = API_PORTS.map((port, i) =>
    track(
      spawn(process.execPath, [API_MAIN], {
        cwd: ROOT,
        env: { ...env, API_PORT: String(port) },
        stdio: ['ignore', 'ignore', 'pipe'],
      }),
      `api${i + 1}`,
    ),
  );
  const bares = BARE_PORTS.map((port, i) =>
    track(
      fork(path.join(__dirname, 'fanout-bare.js'), [], {
        env: { ...env, PORT: String(port) },
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      }),
      `bare${i + 1}`,
    ),
  );
  await Promise.all(
    apis.map((api, i) =>
      waitForOk(`http://${HOST}:${API_PORTS[i]}/health/ready`, api, BOOT_TIMEOUT_MS),
    ),
  );
  await Promise.all(
    bares.map((bare) => nextMessage(bare, 'ready', BOOT_TIMEOUT_MS).catch(() => undefined)),
  );
  const publisher = track(
    spawn(process.execPath, [path.join(__dirname, 'fanout-publisher.js')], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'inherit', 'pipe'],
    }),
    'publisher',
  );
  console.log(
    `2 api nodes (dist) vs 2 bare socket.io servers; publisher: 4 symbols x 5 ticks/s (bench stand-in ` +
      `for the worker's leader); ${SECONDS} s measured after ${WARMUP_SECONDS} s warm-up\n`,
  );

  const verdicts = [];
  for (const clients of CLIENT_COUNTS) {
    const api = await phase('api /prices (2 nodes)', API_PORTS, apis, publisher, clients);
    print(api);
    const bare = await phase('bare socket.io (2)', BARE_PORTS, bares, publisher, clients);
    print(bare);
    const rateRatio = api.rate / bare.rate;
    const p99Ratio = api.p99 / bare.p99;
    const checks = [
      [`zero gaps`, api.gaps === 0],
      [`rate api/bare ${rateRatio.toFixed(2)} >= 0.8`, rateRatio >= 0.8],
      [`p99 api/bare ${p99Ratio.toFixed(2)} <= 1.5`, p99Ratio <= 1.5],
      ...(clients <= 1000 ? [[`p99 ${api.p99.toFixed(1)} ms <= 50 ms`, api.p99 <= 50]] : []),
    ];
    const line = checks.map(([label, ok]) => `${label} ${ok ? 'OK' : 'MISSED'}`).join('; ');
    console.log(`  => ${clients} clients: ${line}\n`);
    verdicts.push(...checks.map(([, ok]) => ok));
  }
  const cpus = os.cpus();
  console.log(
    `caveat: ${cpus.length} cores (${cpus[0]?.model.trim()}), node ${process.version}; servers, ` +
      "publisher and clients share this machine (and other engineers' tests), so compare ratios.",
  );
  if (verdicts.includes(false)) {
    process.exitCode = 2;
  }
}

const deadline = setTimeout(() => {
  console.error(`bench exceeded ${RUN_TIMEOUT_MS / 60_000} min; stopping`);
  void stopAll().then(() => process.exit(1));
}, RUN_TIMEOUT_MS);
deadline.unref();
process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));

main().then(stopAll, async (error) => {
  console.error(error instanceof Error ? error.message : error);
  await stopAll();
  process.exit(1);
});
