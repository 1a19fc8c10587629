import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateMarketData1764000002000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    // Raw ticks, kept `MARKET_TICK_RETENTION_HOURS`. The primary key doubles as the flush's
    // dedupe: a replayed tick hits ON CONFLICT DO NOTHING and is not folded into candles again.
    // Live ticks carry the upstream's positive per-symbol sequence; backfilled history uses
    // negative ones (derived from the time), so the two never collide.
    await q.query(`
      CREATE TABLE market_ticks (
        symbol text        NOT NULL,
        seq    bigint      NOT NULL,
        ts     timestamptz NOT NULL,
        price  numeric     NOT NULL CHECK (price > 0),
        PRIMARY KEY (symbol, seq)
      )`);
    // The prune job's scan: `WHERE ts < $1 LIMIT n`, oldest first, across symbols.
    await q.query(`CREATE INDEX market_ticks_ts_idx ON market_ticks (ts)`);

    // OHLC bars, upserted incrementally. first_seq/last_seq decide which tick opens and closes a
    // bar whatever order flushes arrive in. The primary key serves the read path
    // `WHERE symbol = $1 AND timeframe = $2 AND bucket BETWEEN $3 AND $4 ORDER BY bucket DESC
    // LIMIT n` as one backward range scan of its index (no sort, no other index).
    await q.query(`
      CREATE TABLE market_candles (
        symbol     text        NOT NULL,
        timeframe  text        NOT NULL CHECK (timeframe IN ('1m', '5m', '15m', '1h', '4h', '1d')),
        bucket     timestamptz NOT NULL,
        open       numeric     NOT NULL,
        high       numeric     NOT NULL,
        low        numeric     NOT NULL,
        close      numeric     NOT NULL,
        tick_count int         NOT NULL CHECK (tick_count > 0),
        first_seq  bigint      NOT NULL,
        last_seq   bigint      NOT NULL CHECK (last_seq >= first_seq),
        PRIMARY KEY (symbol, timeframe, bucket)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE market_candles`);
    await q.query(`DROP TABLE market_ticks`);
  }
}
