import { rows, type Tx } from '@bourse/platform';
import { Injectable } from '@nestjs/common';
import type { Tick } from '../tick';
import { TIMEFRAME_NAMES, TIMEFRAMES, type Timeframe } from '../timeframes';
import type { SymbolBar } from './candle.math';
import type { ChartBar } from './chart-bar';

/** A bar as stored, without the sequences (what readers and subscribers get). */
export interface StoredBar extends ChartBar {
  symbol: string;
  timeframe: Timeframe;
}

const TIMEFRAME_MS = TIMEFRAME_NAMES.map((name) => TIMEFRAMES[name]);

// The bucket as epoch seconds: a float parses far cheaper than a timestamptz into a Date.
const BAR_COLUMNS = `symbol, timeframe, extract(epoch FROM bucket)::float8 AS time,
  open, high, low, close, tick_count AS "tickCount"`;

// The merge of a bar into the stored one, whatever order they come in: extremes widen, the
// lower sequence opens, the higher closes. Shared by the live flush and the backfill.
const MERGE_BAR = `
  open       = CASE WHEN EXCLUDED.first_seq < c.first_seq THEN EXCLUDED.open ELSE c.open END,
  high       = GREATEST(c.high, EXCLUDED.high),
  low        = LEAST(c.low, EXCLUDED.low),
  close      = CASE WHEN EXCLUDED.last_seq > c.last_seq THEN EXCLUDED.close ELSE c.close END,
  tick_count = c.tick_count + EXCLUDED.tick_count,
  first_seq  = LEAST(c.first_seq, EXCLUDED.first_seq),
  last_seq   = GREATEST(c.last_seq, EXCLUDED.last_seq)`;

@Injectable()
export class CandleRepository {
  /**
   * Stores ticks and folds them into the bars of all six timeframes, in ONE statement (so one
   * transaction, and a constant cost in round trips however many ticks). Exactly once: only the
   * ticks the raw insert actually added (`RETURNING` skips ON CONFLICT DO NOTHING rows) are
   * aggregated, so a flush replayed after a lost commit acknowledgement, or a tick sent twice,
   * counts nothing twice. Order-safe: the merge compares sequences, not arrival order.
   * Rows are inserted in key order, so two concurrent flushes lock shared bars in the same order
   * (no deadlock). Returns the bars as they are after the merge.
   */
  storeTicks(tx: Tx, ticks: readonly Tick[]): Promise<StoredBar[]> {
    return rows<StoredBar>(
      tx,
      `
      WITH inserted AS (
        INSERT INTO market_ticks (symbol, seq, ts, price)
        SELECT symbol, seq, timestamptz 'epoch' + ms * interval '1 millisecond', price
          FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::numeric[]) AS t(symbol, seq, ms, price)
         ORDER BY symbol, seq
        ON CONFLICT (symbol, seq) DO NOTHING
        RETURNING symbol, seq, ts, price
      ), bars AS (
        SELECT i.symbol, tf.name AS timeframe,
               date_bin(tf.ms * interval '1 millisecond', i.ts, timestamptz 'epoch') AS bucket,
               (array_agg(i.price ORDER BY i.seq))[1] AS open,
               max(i.price) AS high,
               min(i.price) AS low,
               (array_agg(i.price ORDER BY i.seq DESC))[1] AS close,
               count(*)::int AS tick_count,
               min(i.seq) AS first_seq,
               max(i.seq) AS last_seq
          FROM inserted i
         CROSS JOIN unnest($5::text[], $6::bigint[]) AS tf(name, ms)
         GROUP BY 1, 2, 3
      )
      INSERT INTO market_candles AS c
             (symbol, timeframe, bucket, open, high, low, close, tick_count, first_seq, last_seq)
      SELECT * FROM bars ORDER BY symbol, timeframe, bucket
      ON CONFLICT (symbol, timeframe, bucket) DO UPDATE SET ${MERGE_BAR}
      RETURNING ${BAR_COLUMNS}`,
      [
        ticks.map((t) => t.symbol),
        ticks.map((t) => t.seq),
        ticks.map((t) => t.ts),
        ticks.map((t) => t.price),
        TIMEFRAME_NAMES,
        TIMEFRAME_MS,
      ],
    );
  }

  /**
   * Upserts backfilled bars (negative sequences). A bar the live feed has touched (a positive
   * `last_seq`) is merged instead of replaced, so a backfill never rewrites live history; a
   * purely backfilled bar is replaced, which makes re-running a backfill idempotent.
   */
  async upsertBackfilledBars(tx: Tx, bars: readonly SymbolBar[]): Promise<void> {
    await rows(
      tx,
      `
      INSERT INTO market_candles AS c
             (symbol, timeframe, bucket, open, high, low, close, tick_count, first_seq, last_seq)
      SELECT symbol, timeframe, timestamptz 'epoch' + ms * interval '1 millisecond',
             open, high, low, close, tick_count, first_seq, last_seq
        FROM unnest($1::text[], $2::text[], $3::bigint[], $4::numeric[], $5::numeric[],
                    $6::numeric[], $7::numeric[], $8::int[], $9::bigint[], $10::bigint[])
             AS b(symbol, timeframe, ms, open, high, low, close, tick_count, first_seq, last_seq)
       ORDER BY symbol, timeframe, ms
      ON CONFLICT (symbol, timeframe, bucket) DO UPDATE SET
        open       = CASE WHEN c.last_seq < 0 OR EXCLUDED.first_seq < c.first_seq
                          THEN EXCLUDED.open ELSE c.open END,
        high       = CASE WHEN c.last_seq < 0 THEN EXCLUDED.high
                          ELSE GREATEST(c.high, EXCLUDED.high) END,
        low        = CASE WHEN c.last_seq < 0 THEN EXCLUDED.low ELSE LEAST(c.low, EXCLUDED.low) END,
        close      = CASE WHEN c.last_seq < 0 OR EXCLUDED.last_seq > c.last_seq
                          THEN EXCLUDED.close ELSE c.close END,
        tick_count = CASE WHEN c.last_seq < 0 THEN EXCLUDED.tick_count
                          ELSE c.tick_count + EXCLUDED.tick_count END,
        first_seq  = CASE WHEN c.last_seq < 0 THEN EXCLUDED.first_seq
                          ELSE LEAST(c.first_seq, EXCLUDED.first_seq) END,
        last_seq   = CASE WHEN c.last_seq < 0 THEN EXCLUDED.last_seq
                          ELSE GREATEST(c.last_seq, EXCLUDED.last_seq) END
       -- a live bar already holding these backfilled ticks (a re-run) is left alone
       WHERE c.last_seq < 0 OR EXCLUDED.first_seq < c.first_seq`,
      [
        bars.map((b) => b.symbol),
        bars.map((b) => b.timeframe),
        bars.map((b) => b.bucket),
        bars.map((b) => b.open),
        bars.map((b) => b.high),
        bars.map((b) => b.low),
        bars.map((b) => b.close),
        bars.map((b) => b.tickCount),
        bars.map((b) => b.firstSeq),
        bars.map((b) => b.lastSeq),
      ],
    );
  }

  /** Writes backfilled raw ticks; a re-run rewrites the same keys (sequences come from the time). */
  async upsertBackfilledTicks(tx: Tx, ticks: readonly Tick[]): Promise<void> {
    await rows(
      tx,
      `
      INSERT INTO market_ticks (symbol, seq, ts, price)
      SELECT symbol, seq, timestamptz 'epoch' + ms * interval '1 millisecond', price
        FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::numeric[]) AS t(symbol, seq, ms, price)
       ORDER BY symbol, seq
      ON CONFLICT (symbol, seq) DO UPDATE SET ts = EXCLUDED.ts, price = EXCLUDED.price`,
      [
        ticks.map((t) => t.symbol),
        ticks.map((t) => t.seq),
        ticks.map((t) => t.ts),
        ticks.map((t) => t.price),
      ],
    );
  }

  /**
   * Newest `limit` bars of a series within [from, to], newest first. Served by the primary key
   * (symbol, timeframe, bucket) as one backward index range scan that stops after `limit` rows.
   */
  latestBars(
    tx: Tx,
    symbol: string,
    timeframe: Timeframe,
    from: Date,
    to: Date,
    limit: number,
  ): Promise<StoredBar[]> {
    return rows<StoredBar>(
      tx,
      `
      SELECT ${BAR_COLUMNS}
        FROM market_candles
       WHERE symbol = $1 AND timeframe = $2 AND bucket BETWEEN $3 AND $4
       ORDER BY bucket DESC
       LIMIT $5`,
      [symbol, timeframe, from, to, limit],
    );
  }

  /** The newest bar of `timeframe` starting by `at`, of each of `symbols` (an index probe each). */
  newestBars(
    tx: Tx,
    symbols: readonly string[],
    timeframe: Timeframe,
    at: Date,
  ): Promise<StoredBar[]> {
    return rows<StoredBar>(
      tx,
      `
      SELECT c.*
        FROM unnest($1::text[]) AS s(symbol)
       CROSS JOIN LATERAL (
             SELECT ${BAR_COLUMNS}
               FROM market_candles
              WHERE symbol = s.symbol AND timeframe = $2 AND bucket <= $3
              ORDER BY bucket DESC
              LIMIT 1) c`,
      [symbols, timeframe, at],
    );
  }

  /** Deletes up to `limit` ticks older than `before` (oldest first, by the ts index); the count. */
  async deleteTicksBefore(tx: Tx, before: Date, limit: number): Promise<number> {
    const deleted = await rows(
      tx,
      `
      DELETE FROM market_ticks t
       USING (SELECT symbol, seq FROM market_ticks WHERE ts < $1 ORDER BY ts LIMIT $2) old
       WHERE t.symbol = old.symbol AND t.seq = old.seq
      RETURNING 1`,
      [before, limit],
    );

    return deleted.length;
  }
}
