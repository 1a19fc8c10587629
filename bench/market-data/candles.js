'use strict';
/**
 * Candles at the service layer, on the BUILT code (run `npm run build` first; needs local
 * Postgres and Redis). Into a fresh database `bourse_bench_candles_<pid>` (dropped at the end,
 * with the Redis keys the run made):
 *   1. backfill CANDLES_DAYS (default 30) days at 1 tick/s for 4 symbols through CandleBackfill (what
 *      `npm run market:backfill` runs);
 *   2. p50/p99 of 500-bar reads per timeframe through CandleService.candles (target p99 <= 10 ms);
 *   3. ingestion through CandleService.add + flush, raw ticks and all six timeframes' upserts
 *      (target >= 20,000 ticks/s), in two shapes: live-like (the ticks of one flush span ~250 ms)
 *      and catch-up (1 tick/s per symbol, so one flush touches ~20 minutes of bars).
 */
const os = require('node:os');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { scratch } = require('../lib/scratch');

const ROOT = path.resolve(__dirname, '../..');
const DIST = path.join(ROOT, 'dist/apps/cli/libs');
const DATABASE = `bourse_bench_candles_${process.pid}`;
const made = scratch('candles', [DATABASE]);
const DAYS = Number(process.env.CANDLES_DAYS ?? 30);
const SYMBOL_COUNT = 4;
const READ_ROUNDS = 300;
const READ_WARMUP = 30;
// A 250 ms flush at the 20,000 ticks/s target carries 5,000 ticks.
const FLUSH_BATCH = 5000;
const INGEST_TICKS = 200_000;

function load() {
  try {
    return {
      platform: require(path.join(DIST, 'platform/src')),
      market: require(path.join(DIST, 'market-data/src')),
    };
  } catch (error) {
    throw new Error(`built code missing (${error.message}): run \`npm run build\` first`);
  }
}

async function freshDatabase(platform, config) {
  await made.recreate(DATABASE);
  const { DataSource } = require('typeorm');
  const { MIGRATIONS } = require(path.join(DIST, '../migrations/index.js'));
  const source = new DataSource(
    platform.dataSourceOptions(config.database, {
      migrations: MIGRATIONS,
      applicationName: 'bourse-bench',
    }),
  );
  await source.initialize();
  await source.runMigrations();
  await source.destroy();
}

async function createContext(platform, market, config) {
  const { NestFactory } = require('@nestjs/core');
  const { Module } = require('@nestjs/common');
  class BenchModule {}
  Module({
    imports: [
      platform.ConfigModule.forRoot(config),
      platform.DatabaseModule,
      platform.RedisModule,
      market.CandlesModule,
    ],
  })(BenchModule);

  return NestFactory.createApplicationContext(BenchModule, { logger: ['error', 'warn'] });
}

const percentile = (sorted, p) =>
  sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];

async function timeIt(work) {
  const start = performance.now();
  await work();

  return performance.now() - start;
}

async function readLatencies(market, candles, symbols, from, to) {
  const results = [];
  for (const timeframe of market.TIMEFRAME_NAMES) {
    const samples = [];
    for (let i = 0; i < READ_WARMUP + READ_ROUNDS; i++) {
      const symbol = symbols[i % symbols.length].symbol;
      // Half the reads chart the newest bars, half a random point of the history.
      const end = i % 2 ? undefined : Math.floor((from + Math.random() * (to - from)) / 1000);
      const ms = await timeIt(() => candles.candles({ symbol, timeframe, to: end, limit: 500 }));
      if (i >= READ_WARMUP) {
        samples.push(ms);
      }
    }
    samples.sort((a, b) => a - b);
    results.push({ timeframe, p50: percentile(samples, 0.5), p99: percentile(samples, 0.99) });
  }

  return results;
}

/** Feeds `ticks` through add() and flush() in FLUSH_BATCH slices; ticks/s and flush p50/p99. */
async function ingest(candles, ticks) {
  const flushes = [];
  const start = performance.now();
  for (let i = 0; i < ticks.length; i += FLUSH_BATCH) {
    const slice = ticks.slice(i, i + FLUSH_BATCH);
    flushes.push(
      await timeIt(async () => {
        for (const tick of slice) {
          candles.add(tick);
        }
        await candles.flush();
      }),
    );
  }
  const seconds = (performance.now() - start) / 1000;
  flushes.sort((a, b) => a - b);

  return {
    ticksPerSecond: ticks.length / seconds,
    p50: percentile(flushes, 0.5),
    p99: percentile(flushes, 0.99),
  };
}

/** Live-shaped ticks after the history: positive sequences, `perMs` ticks per symbol per ms. */
function liveTicks(market, symbols, startTs, perSymbol, msPerTick, seqBase) {
  const quotes = market.simulatedQuotes(1, symbols, startTs, perSymbol, 1000);
  const ticks = [];
  let step = 0;
  for (const quote of quotes) {
    const index = Math.floor(step / symbols.length);
    ticks.push({ ...quote, ts: startTs + Math.floor(index * msPerTick), seq: seqBase + index + 1 });
    step++;
  }

  return ticks;
}

async function main() {
  const { platform, market } = load();
  const base = platform.loadConfig(process.env);
  const url = new URL(base.database.url);
  url.pathname = `/${DATABASE}`;
  const config = platform.loadConfig(
    {
      ...process.env,
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
      DATABASE_URL: url.toString(),
      REDIS_KEY_PREFIX: made.prefix,
      // The bench flushes explicitly; the loop stays out of the measurements.
      MARKET_CANDLE_FLUSH_MS: '3600000',
    },
    [market.MARKET_CONFIG],
  );
  await freshDatabase(platform, config);
  console.log(`fresh database ${DATABASE}, migrated`);
  const app = await createContext(platform, market, config);
  try {
    const symbols = market.SYMBOLS.slice(0, SYMBOL_COUNT);
    const now = Date.now();
    console.log(
      `backfill: ${DAYS} days at 1 tick/s for ${symbols.map((s) => s.symbol).join(', ')}`,
    );
    const backfill = await app.get(market.CandleBackfill).run({
      days: DAYS,
      symbols,
      now,
      onProgress: (p) => {
        if (p.day % 5 === 0 || p.day === p.days) {
          console.log(
            `  day ${p.day}/${p.days}: ${p.ticks} ticks, ${p.bars} bars, ${Math.round(p.ticksPerSecond)} ticks/s`,
          );
        }
      },
    });
    console.log(
      `  ${backfill.ticks} ticks (${backfill.rawTicks} kept raw) -> ${backfill.bars} bars in ` +
        `${(backfill.elapsedMs / 1000).toFixed(1)} s, ${Math.round(backfill.ticksPerSecond)} ticks/s`,
    );

    const db = app.get(platform.Database);
    // Steady state after a bulk load: statistics and visibility map up to date, so autovacuum
    // does not start during the reads.
    await db.manager.query('VACUUM (ANALYZE) market_candles, market_ticks');
    const plan = await db.manager.query(
      `EXPLAIN SELECT bucket, open, high, low, close, tick_count FROM market_candles
        WHERE symbol = 'XAUUSD' AND timeframe = '1m' AND bucket BETWEEN $1 AND $2
        ORDER BY bucket DESC LIMIT 500`,
      [new Date(0), new Date(now)],
    );
    console.log(`read plan: ${plan.map((row) => row['QUERY PLAN'].trim()).join(' / ')}`);

    const candles = app.get(market.CandleService);
    console.log(`reads: 500 bars, ${READ_ROUNDS} per timeframe (after ${READ_WARMUP} warm-up)`);
    const reads = await readLatencies(market, candles, symbols, backfill.from.getTime(), now);
    for (const r of reads) {
      console.log(
        `  ${r.timeframe.padEnd(4)} p50 ${r.p50.toFixed(2).padStart(6)} ms   p99 ${r.p99.toFixed(2).padStart(6)} ms`,
      );
    }
    const worstP99 = Math.max(...reads.map((r) => r.p99));
    console.log(
      `  worst p99 ${worstP99.toFixed(2)} ms (target <= 10 ms) ${worstP99 <= 10 ? 'OK' : 'ABOVE TARGET'}`,
    );

    const perSymbol = INGEST_TICKS / symbols.length;
    const shapes = [
      // 20,000 ticks/s over 4 symbols: 5 ticks per symbol per ms.
      [
        'live-like (a flush spans ~250 ms)',
        liveTicks(market, symbols, now + 3_600_000, perSymbol, 0.2, 0),
      ],
      [
        'catch-up (1 tick/s per symbol)',
        liveTicks(market, symbols, now + 86_400_000, perSymbol, 1000, perSymbol),
      ],
    ];
    console.log(
      `ingestion: ${INGEST_TICKS} ticks per shape through add() + flush(), ${FLUSH_BATCH} per flush`,
    );
    for (const [name, ticks] of shapes) {
      const r = await ingest(candles, ticks);
      console.log(
        `  ${name.padEnd(36)} ${Math.round(r.ticksPerSecond).toString().padStart(7)} ticks/s   ` +
          `flush p50 ${r.p50.toFixed(1)} ms p99 ${r.p99.toFixed(1)} ms   ` +
          `(target >= 20000) ${r.ticksPerSecond >= 20_000 ? 'OK' : 'BELOW TARGET'}`,
      );
    }
    const cpus = os.cpus();
    console.log(
      `caveat: ${cpus.length} cores (${cpus[0]?.model.trim()}), node ${process.version}; Postgres, ` +
        'Redis and this process share the machine; reads are sequential (one client), so they ' +
        'show latency, not capacity.',
    );
  } finally {
    await app.close();
  }
}

main()
  .catch((error) => {
    console.error(error instanceof Error ? error.stack : error);
    process.exitCode = 1;
  })
  .finally(() => made.cleanUp());
