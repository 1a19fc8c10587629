import {
  aggregate,
  CandleBackfill,
  CandleService,
  MarketChannels,
  MarketKeys,
  SYMBOLS,
  TIMEFRAME_NAMES,
  type CandleUpdate,
  type Tick,
  type Timeframe,
} from '@bourse/market-data';
import { Database, REDIS, rows } from '@bourse/platform';
import Redis from 'ioredis';
import { startApi, type TestServer } from '../setup/apps';

// Spec files share the run's database: every test writes its own symbol/time range (years no
// other spec uses) and reads only that. Redis gets this file's own prefix.
const PREFIX = `${process.env.REDIS_KEY_PREFIX}-candles`;
const MINUTE = 60_000;
// market_ticks is keyed by (symbol, seq) across the shared database: a range far above what
// another spec's live feed reaches keeps these ticks distinct from theirs.
const SEQ = 7_000_000_000_000;

let server: TestServer;
let candles: CandleService;
let db: Database;

beforeAll(async () => {
  // The loop is slowed down: tests flush explicitly, so they know what each flush carried.
  server = await startApi({ REDIS_KEY_PREFIX: PREFIX, MARKET_CANDLE_FLUSH_MS: '600000' });
  candles = server.app.get(CandleService);
  db = server.app.get(Database);
});

afterAll(() => server.close());

/** `count` ticks of `symbol`, `stepMs` apart from `from`, a deterministic zig-zag of prices. */
function series(
  symbol: string,
  from: number,
  count: number,
  stepMs: number,
  firstSeq = SEQ + 1,
): Tick[] {
  return Array.from({ length: count }, (_, i) => ({
    symbol,
    price: (2000 + ((i * 7919) % 97) + (i % 13) / 100).toFixed(2),
    ts: from + i * stepMs,
    seq: firstSeq + i,
  }));
}

interface BarRow {
  timeframe: Timeframe;
  bucket: number;
  open: string;
  high: string;
  low: string;
  close: string;
  tickCount: number;
  firstSeq: number;
  lastSeq: number;
}

async function storedBars(symbol: string, from: number, to: number): Promise<BarRow[]> {
  return rows<BarRow>(
    db.manager,
    `SELECT timeframe, (extract(epoch FROM bucket) * 1000)::float8 AS bucket, open, high, low,
            close, tick_count AS "tickCount", first_seq::float8 AS "firstSeq",
            last_seq::float8 AS "lastSeq"
       FROM market_candles
      WHERE symbol = $1 AND bucket >= $2 AND bucket < $3
      ORDER BY timeframe, bucket`,
    [symbol, new Date(from), new Date(to)],
  );
}

function expectedBars(ticks: Tick[]): BarRow[] {
  return TIMEFRAME_NAMES.flatMap((timeframe) =>
    aggregate(ticks, timeframe).map((bar) => ({ timeframe, ...bar })),
  ).sort((a, b) => a.timeframe.localeCompare(b.timeframe) || a.bucket - b.bucket);
}

async function tickCount(symbol: string, from: number, to: number): Promise<number> {
  const [row] = await rows<{ n: number }>(
    db.manager,
    `SELECT count(*)::int AS n FROM market_ticks WHERE symbol = $1 AND ts >= $2 AND ts < $3`,
    [symbol, new Date(from), new Date(to)],
  );

  return row!.n;
}

async function flushAll(ticks: Tick[]): Promise<CandleUpdate[]> {
  ticks.forEach((tick) => candles.add(tick));

  return candles.flush();
}

describe('candle flush', () => {
  const FROM = Date.UTC(2031, 0, 1);
  const TO = FROM + 2 * 86_400_000;
  // Every 7 s for ~1.4 days: crosses minute, hour, 4 h and day boundaries.
  const ticks = series('XAUUSD', FROM + 3_000, 17_000, 7_000);

  it('writes the raw ticks and the bars of all six timeframes, whatever the flush order', async () => {
    // Three flushes, the middle one out of order: late ticks must open bars, never close them.
    const reversed = ticks.slice(6000, 12_000).reverse();
    await flushAll(ticks.slice(0, 6000));
    await flushAll(ticks.slice(12_000));
    await flushAll(reversed);

    expect(await tickCount('XAUUSD', FROM, TO)).toBe(ticks.length);
    expect(await storedBars('XAUUSD', FROM, TO)).toEqual(expectedBars(ticks));
  });

  it('does not count a replayed flush twice, and counts only the new ticks of a mixed one', async () => {
    const before = await storedBars('XAUUSD', FROM, TO);

    expect(await flushAll(ticks.slice(100, 9000))).toEqual([]);
    expect(await storedBars('XAUUSD', FROM, TO)).toEqual(before);

    const more = series('XAUUSD', FROM + 3_000 + 17_000 * 7_000, 50, 7_000, SEQ + 17_001);
    await flushAll([...ticks.slice(0, 500), ...more, ...more]);

    expect(await tickCount('XAUUSD', FROM, TO)).toBe(ticks.length + more.length);
    expect(await storedBars('XAUUSD', FROM, TO)).toEqual(expectedBars([...ticks, ...more]));
  });

  it('publishes every bar a flush changed on the candle channel, oldest first', async () => {
    const subscriber = new Redis(server.config.redis.url);
    const received: CandleUpdate[] = [];
    await subscriber.subscribe(MarketChannels.candles(PREFIX));
    subscriber.on('message', (_channel, message: string) =>
      received.push(JSON.parse(message) as CandleUpdate),
    );
    try {
      const start = Date.UTC(2032, 5, 1, 10, 0, 30);
      const [first, second] = series('XAGUSD', start, 2, MINUTE);
      await flushAll([first!, second!]);
      const deadline = Date.now() + 5000;
      while (received.length < 7 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }

      // Two 1m bars (one per tick), one bar of each longer timeframe.
      expect(received).toHaveLength(7);
      const oneMinute = received.filter((u) => u.timeframe === '1m');
      expect(oneMinute.map((u) => u.bar.time)).toEqual([
        Date.UTC(2032, 5, 1, 10, 0) / 1000,
        Date.UTC(2032, 5, 1, 10, 1) / 1000,
      ]);
      expect(received.find((u) => u.timeframe === '1d')).toEqual({
        symbol: 'XAGUSD',
        timeframe: '1d',
        bar: {
          time: Date.UTC(2032, 5, 1) / 1000,
          open: first!.price,
          high: second!.price > first!.price ? second!.price : first!.price,
          low: second!.price > first!.price ? first!.price : second!.price,
          close: second!.price,
          tickCount: 2,
        },
      });
    } finally {
      await subscriber.quit();
    }
  });
});

describe('pruneTicks', () => {
  it('deletes only the ticks older than the cutoff, across batches', async () => {
    const cutoff = Date.UTC(2001, 0, 2);
    // 25,000 old ticks: more than one prune batch.
    await flushAll(series('XPTUSD', cutoff - 25_000 * 1000, 25_000, 1000));
    await flushAll(series('XPTUSD', cutoff, 10, 1000, SEQ + 25_001));

    expect(await candles.pruneTicks(new Date(cutoff))).toBe(25_000);
    expect(await tickCount('XPTUSD', 0, cutoff)).toBe(0);
    expect(await tickCount('XPTUSD', cutoff, cutoff + 86_400_000)).toBe(10);
    // Candles are history: pruning raw ticks leaves them alone.
    const [day] = await storedBars('XPTUSD', cutoff - 86_400_000, cutoff).then((bars) =>
      bars.filter((bar) => bar.timeframe === '1d'),
    );
    expect(day?.tickCount).toBe(25_000);
  });
});

describe('GET /v1/market/candles', () => {
  // The newest bars of EURUSD anywhere in the run: no other spec writes the year 2040.
  const START = Date.UTC(2040, 0, 1);
  const ticks = series('EURUSD', START, 600, 10_000).map((tick) => ({
    ...tick,
    price: (1 + Number(tick.price) / 100_000).toFixed(5),
  }));

  beforeAll(() => flushAll(ticks));

  it('answers lightweight-charts bars, oldest first, the forming bar last', async () => {
    // Bounded by `from`: workers in other spec files write live EURUSD bars to the same database.
    const url = `/v1/market/candles?symbol=EURUSD&timeframe=5m&from=${START / 1000}`;
    const res = await server.request('GET', url);

    expect(res.status).toBe(200);
    const expected = aggregate(ticks, '5m');
    expect(res.body).toHaveLength(expected.length);
    expect(res.body[0]).toEqual({
      time: START / 1000,
      open: expected[0]!.open,
      high: expected[0]!.high,
      low: expected[0]!.low,
      close: expected[0]!.close,
      tickCount: 30,
    });
    const times = (res.body as { time: number }[]).map((bar) => bar.time);
    expect(times).toEqual([...times].sort((a, b) => a - b));

    // The forming bar moves with the next flush.
    const next = {
      ...ticks.at(-1)!,
      ts: ticks.at(-1)!.ts + 1000,
      seq: SEQ + 601,
      price: '1.99999',
    };
    await flushAll([next]);
    const after = await server.request('GET', url);
    expect(after.body.at(-1)).toMatchObject({
      time: times.at(-1),
      high: '1.99999',
      close: '1.99999',
      tickCount: expected.at(-1)!.tickCount + 1,
    });
  });

  it('returns the newest `limit` bars within from..to (inclusive)', async () => {
    const from = START / 1000 + 10 * 60;
    const to = START / 1000 + 30 * 60;
    const res = await server.request(
      'GET',
      `/v1/market/candles?symbol=EURUSD&timeframe=1m&from=${from}&to=${to}&limit=5`,
    );

    expect(res.status).toBe(200);
    expect((res.body as { time: number }[]).map((bar) => bar.time)).toEqual(
      [26, 27, 28, 29, 30].map((m) => START / 1000 + m * 60),
    );

    const all = await server.request(
      'GET',
      `/v1/market/candles?symbol=EURUSD&timeframe=1m&from=${from}&to=${to}`,
    );
    expect(all.body).toHaveLength(21);
  });

  it('rejects bad queries with a problem naming the field', async () => {
    const field = async (query: string): Promise<string[]> => {
      const res = await server.request('GET', `/v1/market/candles?${query}`);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body.code).toBe('validation.failed');

      return (res.body.errors as { field: string }[]).map((e) => e.field);
    };

    expect(await field('symbol=DOGEUSD&timeframe=1m')).toEqual(['symbol']);
    expect(await field('symbol=EURUSD&timeframe=2m')).toEqual(['timeframe']);
    expect(await field('symbol=EURUSD&timeframe=1m&from=200&to=100')).toEqual(['to']);
    expect(await field('symbol=EURUSD&timeframe=1m&from=2040-01-01T00:00:00Z')).toEqual(['from']);
    expect(await field('symbol=EURUSD&timeframe=1m&limit=5001')).toEqual(['limit']);
  });
});

describe('prices', () => {
  beforeAll(async () => {
    const redis = server.app.get<Redis>(REDIS);
    await redis.del(MarketKeys.lastPrices);
    await redis.hset(MarketKeys.lastPrices, {
      XAUUSD: JSON.stringify({ symbol: 'XAUUSD', price: '2650.25', ts: 1764000000000, seq: 7 }),
      EURUSD: JSON.stringify({ symbol: 'EURUSD', price: '1.08012', ts: 1764000000500, seq: 3 }),
    });
  });

  it('lists the symbols with their scale', async () => {
    const res = await server.request('GET', '/v1/market/symbols');

    expect(res.status).toBe(200);
    expect(res.body).toEqual(
      SYMBOLS.map(({ symbol, description, scale }) => ({ symbol, description, scale })),
    );
  });

  it('serves the last prices from Redis, in symbol order', async () => {
    const res = await server.request('GET', '/v1/market/prices');

    expect(res.status).toBe(200);
    expect(res.body).toEqual([
      { symbol: 'XAUUSD', price: '2650.25', ts: 1764000000000, seq: 7 },
      { symbol: 'EURUSD', price: '1.08012', ts: 1764000000500, seq: 3 },
    ]);
    const one = await server.request('GET', '/v1/market/prices/EURUSD');
    expect(one.body).toEqual({ symbol: 'EURUSD', price: '1.08012', ts: 1764000000500, seq: 3 });
  });

  it('answers 404 for an unknown symbol and for a symbol without a price yet', async () => {
    const unknown = await server.request('GET', '/v1/market/prices/DOGEUSD');
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('market.unknown_symbol');

    const none = await server.request('GET', '/v1/market/prices/XPTUSD');
    expect(none.status).toBe(404);
    expect(none.body.code).toBe('market.no_price');
  });
});

describe('backfill', () => {
  // "Now" is 2002-03-01 01:30:20 UTC: two days back from the day start is 2002-02-27 00:00,
  // up to the current minute (49.5 h), longer than the 48 h of raw tick retention.
  const NOW = Date.UTC(2002, 2, 1, 1, 30, 20);
  const FROM = Date.UTC(2002, 1, 27);
  const TO = Date.UTC(2002, 2, 1, 1, 30);
  const btc = SYMBOLS.filter((spec) => spec.symbol === 'BTCUSD');

  it('writes complete bars, raw ticks inside retention only, and is idempotent', async () => {
    const backfill = server.app.get(CandleBackfill);
    const result = await backfill.run({ days: 2, symbols: btc, now: NOW });
    const seconds = (TO - FROM) / 1000;

    expect(result).toMatchObject({ ticks: seconds, from: new Date(FROM), to: new Date(TO) });
    const bars = await storedBars('BTCUSD', FROM, TO + 86_400_000);
    const count = (tf: Timeframe): number => bars.filter((bar) => bar.timeframe === tf).length;
    expect(TIMEFRAME_NAMES.map(count)).toEqual([2970, 594, 198, 50, 13, 3]);
    for (const timeframe of TIMEFRAME_NAMES) {
      const total = bars
        .filter((bar) => bar.timeframe === timeframe)
        .reduce((sum, bar) => sum + bar.tickCount, 0);
      expect(total).toBe(seconds);
    }
    // Raw ticks only from NOW - 48 h (the default retention), with negative sequences.
    const retainFrom = NOW - 48 * 3_600_000;
    expect(await tickCount('BTCUSD', FROM, TO)).toBe((TO - retainFrom) / 1000);
    expect(await tickCount('BTCUSD', FROM, retainFrom)).toBe(0);

    await backfill.run({ days: 2, symbols: btc, now: NOW });
    expect(await storedBars('BTCUSD', FROM, TO + 86_400_000)).toEqual(bars);
    // Two backfills of ~178,000 ticks each: a few seconds alone, over 30 s on a host busy with other runs.
  }, 120_000);

  it('merges into bars the live feed touched instead of replacing them', async () => {
    const live = { symbol: 'BTCUSD', price: '1.00', ts: TO + 5000, seq: SEQ + 1 };
    await flushAll([live]);
    const day = async (): Promise<BarRow | undefined> =>
      (await storedBars('BTCUSD', Date.UTC(2002, 2, 1), TO + MINUTE)).find(
        (bar) => bar.timeframe === '1d',
      );
    const before = await day();
    expect(before).toMatchObject({ close: '1.00', low: '1.00', lastSeq: SEQ + 1 });

    await server.app.get(CandleBackfill).run({ days: 2, symbols: btc, now: NOW });
    expect(await day()).toEqual(before);
  });
});
