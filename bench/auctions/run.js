'use strict';
/**
 * One hot lot, raced: BENCH_BIDDERS bidders (default 200) bid over HTTP on two api nodes for
 * BENCH_SECONDS (default 60), each always at the minimum on the highest it last saw, while
 * BENCH_WATCHERS sockets (default 1,000, half on each node) watch the lot. Prints accepted and
 * refused bids per second, bid → `bid` event latency at the watchers (p50/p99, from the accepted
 * request's send to each watcher's receipt), lost or duplicated accepted bids (versions every
 * watcher must see exactly once), overdrafts (negative available balances), and the ledger
 * verifier. Run `npm run build` first; needs local Postgres and Redis (the database
 * bourse_bench_auctions_<pid> and a Redis prefix of its own, removed at the end).
 */
const { spawn, execFileSync } = require('node:child_process');
const { randomUUID } = require('node:crypto');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { io } = require('socket.io-client');
const { stopAll, track, waitForOk } = require('../lib/processes');
const { databaseUrl, scratch } = require('../lib/scratch');

const ROOT = path.resolve(__dirname, '../..');
const DIST = path.join(ROOT, 'dist/apps/api/libs');
const API_MAIN = path.join(ROOT, 'dist/apps/api/apps/api/src/main.js');
const CLI_MAIN = path.join(ROOT, 'dist/apps/cli/apps/cli/src/main.js');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60);
const BIDDERS = Number(process.env.BENCH_BIDDERS ?? 200);
const WATCHERS = Number(process.env.BENCH_WATCHERS ?? 1000);
const PORTS = [
  Number(process.env.BENCH_API_PORT ?? 3130),
  Number(process.env.BENCH_API_PORT ?? 3130) + 1,
];
const DB = `bourse_bench_auctions_${process.pid}`;
const FUNDING = 1_000_000_000_000n;
const PASSWORD = 'a long enough bench password';
const TARGETS = { p99Ms: 150, decisionsPerSecond: 1000 };

const made = scratch('auctions', [DB]);
const env = {
  ...process.env,
  NODE_ENV: 'development',
  LOG_LEVEL: 'warn',
  DATABASE_URL: databaseUrl(DB),
  DATABASE_POOL_SIZE: '20',
  REDIS_KEY_PREFIX: made.prefix,
  RATE_LIMIT_PER_MINUTE: '100000000',
  AUTH_RATE_LIMIT_PER_MINUTE: '100000000',
  AUCTIONS_MAX_CONNECTIONS_PER_IP: String(WATCHERS + 100),
  MARKET_PROVIDER: 'none',
};

const percentile = (sorted, p) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] : NaN;

async function post(port, route, body, token) {
  const res = await fetch(`http://127.0.0.1:${port}${route}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token && { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify(body),
  });

  return { status: res.status, body: await res.json().catch(() => ({})) };
}

async function userToken(port, email) {
  const registered = await post(port, '/v1/auth/register', { email, password: PASSWORD });
  if (registered.status !== 201) {
    throw new Error(`register: ${registered.status} ${JSON.stringify(registered.body)}`);
  }

  return registered.body.accessToken;
}

/** Runs `work` over `items` with at most `n` at once. */
async function pool(items, n, work) {
  const out = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await work(items[i], i);
      }
    }),
  );

  return out;
}

async function main() {
  await made.recreate(DB);
  execFileSync(process.execPath, [CLI_MAIN, 'db:migrate'], { cwd: ROOT, env, stdio: 'ignore' });
  const nodes = PORTS.map((port, i) =>
    track(
      spawn(process.execPath, [API_MAIN], {
        cwd: ROOT,
        env: { ...env, API_PORT: String(port), API_METRICS_PORT: String(port + 10) },
        stdio: ['ignore', 'ignore', 'pipe'],
      }),
      `api-${i}`,
    ),
  );
  await Promise.all(
    nodes.map((n, i) => waitForOk(`http://127.0.0.1:${PORTS[i]}/health/ready`, n, 60_000)),
  );

  // The ledger in-process (built dist), to fund the bidders and verify at the end.
  const platform = require(path.join(DIST, 'platform/src/index.js'));
  const ledgerLib = require(path.join(DIST, 'ledger/src/index.js'));
  const { NestFactory } = require('@nestjs/core');
  const config = platform.loadConfig(env, [ledgerLib.LEDGER_CONFIG]);
  class BenchModule {}
  const ctx = await NestFactory.createApplicationContext(
    {
      module: BenchModule,
      imports: [
        platform.ConfigModule.forRoot(config),
        platform.DatabaseModule,
        ledgerLib.LedgerModule,
      ],
    },
    { logger: false, abortOnError: false },
  );
  const accounts = ctx.get(ledgerLib.AccountsService);
  const transfers = ctx.get(ledgerLib.TransfersService);
  const db = ctx.get(platform.Database);

  console.log(`registering ${BIDDERS} bidders and an admin…`);
  const adminEmail = `admin-${randomUUID()}@bench.local`;
  await userToken(PORTS[0], adminEmail);
  await db.manager.query(`UPDATE users SET role = 'admin' WHERE email = $1`, [adminEmail]);
  const adminLogin = await post(PORTS[0], '/v1/auth/login', {
    email: adminEmail,
    password: PASSWORD,
  });
  const bidders = await pool(Array.from({ length: BIDDERS }), 8, async (_, i) => {
    const email = `bidder-${i}-${randomUUID()}@bench.local`;
    const token = await userToken(PORTS[i % 2], email);
    const [{ id }] = await db.manager.query(`SELECT id FROM users WHERE email = $1`, [email]);

    return { id, token, port: PORTS[i % 2] };
  });
  const clearing = await accounts.ensureSystemAccount('psp_clearing', 'USD');
  for (const b of bidders) {
    const wallet = await accounts.ensureWallet(b.id, 'USD');
    await transfers.transfer({
      id: randomUUID(),
      debitAccountId: clearing.id,
      creditAccountId: wallet.id,
      amount: FUNDING,
      asset: 'USD',
      code: 'deposit',
    });
  }
  const lot = await post(
    PORTS[0],
    '/v1/auctions',
    { title: 'Bench lot', startingPrice: '100', extendSeconds: 30, durationSeconds: SECONDS + 120 },
    adminLogin.body.accessToken,
  );
  const auctionId = lot.body.id;

  console.log(`connecting ${WATCHERS} watchers…`);
  const received = new Map(); // version -> receipt times
  const watchers = await pool(Array.from({ length: WATCHERS }), 50, async (_, i) => {
    const socket = io(`http://127.0.0.1:${PORTS[i % 2]}/auctions`, {
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    await new Promise((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    const seen = new Set();
    let duplicates = 0;
    socket.on('bid', (e) => {
      const at = performance.now();
      if (seen.has(e.version)) {
        duplicates += 1;
      }
      seen.add(e.version);
      const list = received.get(e.version) ?? [];
      list.push(at);
      received.set(e.version, list);
    });
    await socket.emitWithAck('join', { auctionId });

    return { socket, seen, duplicates: () => duplicates };
  });

  console.log(`racing for ${SECONDS} s…`);
  let highest = null;
  let minimum = 100n;
  let accepted = 0;
  let refused = 0;
  let failed = 0;
  const sentAt = new Map(); // version -> send time of the accepted request
  const deadline = performance.now() + SECONDS * 1000;
  const started = performance.now();
  await Promise.all(
    bidders.map(async (b) => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        const res = await post(
          b.port,
          `/v1/auctions/${auctionId}/bids`,
          { amount: minimum.toString(), seenHighest: highest, clientBidId: randomUUID() },
          b.token,
        ).catch(() => ({ status: 0, body: {} }));
        if (res.status === 201) {
          accepted += 1;
          sentAt.set(res.body.version, t0);
        } else if (res.status === 409 || res.status === 422) {
          refused += 1;
        } else {
          failed += 1;
          continue;
        }
        const state = res.body;
        if (state.highest !== undefined && BigInt(state.highest ?? 0) >= BigInt(highest ?? 0)) {
          highest = state.highest;
          minimum =
            state.minimumBid !== undefined ? BigInt(state.minimumBid) : BigInt(state.highest) + 1n;
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  await new Promise((resolve) => setTimeout(resolve, 2000));

  const latencies = [];
  for (const [version, t0] of sentAt) {
    for (const at of received.get(version) ?? []) {
      latencies.push(at - t0);
    }
  }
  latencies.sort((a, b) => a - b);
  const versions = [...sentAt.keys()];
  const lost = watchers.reduce((n, w) => n + versions.filter((v) => !w.seen.has(v)).length, 0);
  const duplicated = watchers.reduce((n, w) => n + w.duplicates(), 0);
  const [{ rows: bidRows }] = await db.manager.query(
    `SELECT count(*)::int AS rows FROM auction_bids WHERE auction_id = $1`,
    [auctionId],
  );
  const [{ n: overdrafts }] = await db.manager.query(
    `SELECT count(*)::int AS n FROM ledger_accounts a JOIN LATERAL (
       SELECT sum(credits_posted - debits_posted - debits_pending) AS available
       FROM ledger_balances b WHERE b.account_id = a.id) s ON true
     WHERE a.kind = 'user_wallet' AND s.available < 0`,
  );
  const report = await ctx.get(ledgerLib.StatementsService).verifyInvariants();
  const decisions = (accepted + refused) / elapsed;
  const p50 = percentile(latencies, 0.5);
  const p99 = percentile(latencies, 0.99);

  console.log(
    `\nauctions: ${BIDDERS} bidders on 2 api nodes, ${WATCHERS} watchers, ${elapsed.toFixed(1)} s`,
  );
  console.log(
    `  bid decisions: ${decisions.toFixed(0)}/s (target >= ${TARGETS.decisionsPerSecond})`,
  );
  console.log(
    `    accepted ${(accepted / elapsed).toFixed(1)}/s (${accepted}), refused ${(refused / elapsed).toFixed(1)}/s (${refused}), failed ${failed}`,
  );
  console.log(
    `  bid -> event at watchers: p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms (target p99 <= ${TARGETS.p99Ms}) over ${latencies.length} deliveries`,
  );
  console.log(
    `  accepted bids: ${accepted}, bid rows ${bidRows}; lost at watchers ${lost}, duplicated ${duplicated}`,
  );
  console.log(
    `  overdrafts: ${overdrafts}; ledger verifier: ${report.ok ? 'clean' : JSON.stringify(report)}`,
  );
  watchers.forEach((w) => w.socket.disconnect());
  await ctx.close();
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
