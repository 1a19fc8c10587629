'use strict';
/**
 * Live price fan-out under load: two built api nodes (same Redis prefix) against two bare
 * Socket.IO servers relaying the same Redis channel, fed by the same publisher, the built worker
 * as the leader of the simulated provider (4 of its symbols subscribed, 5 ticks/s each), with the
 * same client count, one after the other. Clients run in their own processes, split across the
 * two nodes. Prints how many clients connected, delivered ticks/s, latency from the tick's `ts`
 * to receipt, seq gaps, and the CPU each process used, so the reader sees which side limited; a
 * phase that cannot connect every client (or fails) is reported as such and the other still runs.
 * Run `npm run build` first; needs local Postgres and Redis (its own database
 * bourse_bench_fanout_<pid> and Redis prefix, removed at the end). Env: FANOUT_CLIENTS (default
 * "1000,5000"), FANOUT_SECONDS (default 15).
 */
const { fork, spawn, execFileSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { setTimeout: delay } = require('node:timers/promises');
const { cpuSeconds, stop, stopAll, track, waitForOk } = require('../lib/processes');
const { databaseUrl, scratch } = require('../lib/scratch');

const ROOT = path.resolve(__dirname, '../..');
const API_MAIN = path.join(ROOT, 'dist/apps/api/apps/api/src/main.js');
const WORKER_MAIN = path.join(ROOT, 'dist/apps/worker/apps/worker/src/main.js');
const CLI_MAIN = path.join(ROOT, 'dist/apps/cli/apps/cli/src/main.js');
const HOST = '127.0.0.1';
const API_PORTS = [3110, 3111];
const BARE_PORTS = [3112, 3113];
const WORKER_PORT = 3114;
// Each process serves /metrics on a port of its own; two api nodes on the default would collide.
const API_METRICS_PORTS = [3115, 3116];
const WORKER_METRICS_PORT = 3117;
const CLIENT_COUNTS = (process.env.FANOUT_CLIENTS ?? '1000,5000').split(',').map(Number);
const SECONDS = Number(process.env.FANOUT_SECONDS ?? 15);
const WARMUP_SECONDS = 3;
const TICKS_PER_SYMBOL = 5;
const TICKS_PER_SECOND = 4 * TICKS_PER_SYMBOL; // every client subscribes to 4 symbols
const BOOT_TIMEOUT_MS = 30_000;
const CONNECT_TIMEOUT_MS = 120_000;
// A load process stops ramping at CONNECT_TIMEOUT_MS; its last batch may take this much longer.
const CONNECTED_TIMEOUT_MS = CONNECT_TIMEOUT_MS + 90_000;
const RUN_TIMEOUT_MS = 15 * 60_000;
const DATABASE = `bourse_bench_fanout_${process.pid}`;
const made = scratch('fanout', [DATABASE]);

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
          CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS),
          COUNT: String(Math.floor(clients / ports.length) + (i < clients % ports.length ? 1 : 0)),
        },
        stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
      }),
      `clients->${port}`,
    ),
  );
  try {
    const started = Date.now();
    const connects = await Promise.all(
      loaders.map((loader) => {
        const done = nextMessage(loader, 'connected', CONNECTED_TIMEOUT_MS);
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

    const connected = connects.reduce((sum, c) => sum + c.connected, 0);

    return {
      name,
      clients,
      connected,
      failed: connects.reduce((sum, c) => sum + c.failed, 0),
      firstFailure: connects.find((c) => c.firstFailure)?.firstFailure,
      dropped: reports.reduce((sum, r) => sum + r.dropped, 0),
      connectSeconds,
      rate: reports.reduce((sum, r) => sum + r.received, 0) / SECONDS,
      expected: connected * TICKS_PER_SECOND,
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

/** A phase's result, or what stopped it: either way the run goes on to the next phase. */
function attempt(name, run) {
  return run().catch((error) => ({ name, error: error instanceof Error ? error.message : error }));
}

function print(result) {
  if (result.error) {
    console.log(`  ${result.name.padEnd(22)} FAILED: ${result.error}`);

    return;
  }
  console.log(
    `  ${result.name.padEnd(22)} ${result.connected} of ${result.clients} clients connected ` +
      `in ${result.connectSeconds.toFixed(1)} s` +
      (result.failed ? ` (${result.failed} refused or timed out: ${result.firstFailure})` : '') +
      (result.dropped ? `, ${result.dropped} dropped` : ''),
  );
  console.log(
    `    ${Math.round(result.rate).toString().padStart(7)} ticks/s (expected ${result.expected})  ` +
      `p50 ${result.p50.toFixed(1)} ms  p99 ${result.p99.toFixed(1)} ms  ` +
      `gaps ${result.gaps} (${result.gappedClients} clients)`,
  );
  console.log(`    CPU: ${result.cpu.map((c) => `${c.name} ${c.percent.toFixed(0)}%`).join(', ')}`);
}

async function main() {
  for (const file of [API_MAIN, WORKER_MAIN, CLI_MAIN]) {
    if (!existsSync(file)) {
      throw new Error(`${file} is missing: run \`npm run build\` first`);
    }
  }
  const env = {
    ...process.env,
    NODE_ENV: 'development',
    HOST,
    LOG_LEVEL: 'warn',
    DATABASE_URL: databaseUrl(DATABASE),
    REDIS_KEY_PREFIX: made.prefix,
    PRICES_MAX_CONNECTIONS_PER_IP: '100000',
  };
  console.log(`preparing ${DATABASE}`);
  await made.recreate(DATABASE);
  execFileSync(process.execPath, [CLI_MAIN, 'db:migrate'], { cwd: ROOT, env, stdio: 'ignore' });

  const apis = API_PORTS.map((port, i) =>
    track(
      spawn(process.execPath, [API_MAIN], {
        cwd: ROOT,
        env: { ...env, API_PORT: String(port), API_METRICS_PORT: String(API_METRICS_PORTS[i]) },
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
  await Promise.all(bares.map((bare) => nextMessage(bare, 'ready', BOOT_TIMEOUT_MS)));
  // The real publisher: the worker, leader of the simulated provider's lease.
  const publisher = track(
    spawn(process.execPath, [WORKER_MAIN], {
      cwd: ROOT,
      env: {
        ...env,
        WORKER_PORT: String(WORKER_PORT),
        WORKER_METRICS_PORT: String(WORKER_METRICS_PORT),
        MARKET_PROVIDER: 'simulated',
        MARKET_SIM_TICKS_PER_SECOND: String(TICKS_PER_SYMBOL),
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    }),
    'worker (leader)',
  );
  await waitForOk(`http://${HOST}:${WORKER_PORT}/health/ready`, publisher, BOOT_TIMEOUT_MS);
  await firstPrices(publisher);
  console.log(
    `2 api nodes (dist) vs 2 bare socket.io servers; publisher: the worker (dist), leader of the ` +
      `simulated provider, ${TICKS_PER_SYMBOL} ticks/s per symbol, 4 symbols subscribed; ` +
      `${SECONDS} s measured after ${WARMUP_SECONDS} s warm-up\n`,
  );

  const verdicts = [];
  for (const clients of CLIENT_COUNTS) {
    const api = await attempt('api /prices (2 nodes)', () =>
      phase('api /prices (2 nodes)', API_PORTS, apis, publisher, clients),
    );
    print(api);
    const bare = await attempt('bare socket.io (2)', () =>
      phase('bare socket.io (2)', BARE_PORTS, bares, publisher, clients),
    );
    print(bare);
    // Per connected client, so a phase that connected fewer still compares fairly.
    const rateRatio = api.rate / api.connected / (bare.rate / bare.connected);
    const checks =
      api.error || bare.error
        ? [['both phases ran', false]]
        : [
            [`all ${clients} connected`, api.connected === clients],
            [`zero gaps`, api.gaps === 0],
            [`rate per client api/bare ${rateRatio.toFixed(2)} >= 0.8`, rateRatio >= 0.8],
            [`p99 api/bare ${(api.p99 / bare.p99).toFixed(2)} <= 1.5`, api.p99 / bare.p99 <= 1.5],
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

/** Resolves once the api answers a price: the worker has taken the lease and publishes. */
async function firstPrices(worker) {
  const deadline = Date.now() + BOOT_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const prices = await fetch(`http://${HOST}:${API_PORTS[0]}/v1/market/prices`).then(
      (res) => (res.ok ? res.json() : []),
      () => [],
    );
    if (prices.length > 0) {
      return;
    }
    if (worker.exitCode !== null) {
      throw new Error(`the worker exited with ${worker.exitCode}:\n${worker.stderrText}`);
    }
    await delay(200);
  }
  throw new Error(`no price published within ${BOOT_TIMEOUT_MS} ms`);
}

const finish = async () => {
  await stopAll();
  await made.cleanUp();
};
const deadline = setTimeout(() => {
  console.error(`bench exceeded ${RUN_TIMEOUT_MS / 60_000} min; stopping`);
  void finish().finally(() => process.exit(1));
}, RUN_TIMEOUT_MS);
deadline.unref();
process.once('SIGINT', () => void finish().finally(() => process.exit(130)));

main()
  .catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  })
  .finally(finish);
