import { APP_CONFIG, Database } from '@bourse/platform';
import { Inject, Injectable } from '@nestjs/common';
import { simulatedQuotes } from '../providers/simulated.provider';
import { SYMBOLS, type SymbolSpec } from '../symbols';
import type { Tick } from '../tick';
import { bucketStart } from '../timeframes';
import { BarStream, type SymbolBar } from './candle.math';
import { CandleRepository } from './candle.repository';
import type { MarketAppConfig } from '../market.config';

const DAY_MS = 86_400_000;
const INTERVAL_MS = 1000;
const BAR_CHUNK = 5000;
const TICK_CHUNK = 10_000;
// Backfilled ticks get negative sequences derived from their time: increasing like the time,
// never colliding with the live feed's positive ones, and the same on every re-run.
const SEQ_OFFSET = 2 ** 52;

export const backfillSeq = (ts: number): number => ts - SEQ_OFFSET;

export interface BackfillOptions {
  days: number;
  symbols?: readonly SymbolSpec[];
  /** Epoch ms the history ends at (the start of its minute); defaults to the clock. */
  now?: number;
  onProgress?: (progress: BackfillProgress) => void;
}

export interface BackfillProgress {
  day: number;
  days: number;
  ticks: number;
  bars: number;
  ticksPerSecond: number;
}

export interface BackfillResult {
  from: Date;
  to: Date;
  ticks: number;
  rawTicks: number;
  bars: number;
  elapsedMs: number;
  ticksPerSecond: number;
}

/**
 * Fills candle history from the simulated provider's generator at 1 tick/s per symbol, from
 * the UTC day `days` ago up to the current minute (the live feed's). Bars are aggregated in
 * memory and upserted a day at a time; raw ticks are written only inside the retention window.
 * Re-running it the same day rewrites the same bars (same start, same seed); bars the live
 * feed has touched are merged, never replaced.
 */
@Injectable()
export class CandleBackfill {
  constructor(
    @Inject(APP_CONFIG) private readonly config: MarketAppConfig,
    private readonly db: Database,
    private readonly candles: CandleRepository,
  ) {}

  async run(options: BackfillOptions): Promise<BackfillResult> {
    const started = performance.now();
    const symbols = options.symbols ?? SYMBOLS;
    const now = options.now ?? Date.now();
    const from = bucketStart(now - options.days * DAY_MS, '1d');
    const to = bucketStart(now, '1m');
    const retainFrom = now - this.config.market.tickRetentionHours * 3_600_000;
    const quotes = simulatedQuotes(
      this.config.market.simSeed,
      symbols,
      from,
      (to - from) / INTERVAL_MS,
      INTERVAL_MS,
    );
    const stream = new BarStream();
    const days = Math.ceil((to - from) / DAY_MS);
    let ticks = 0;
    let rawTicks = 0;
    let bars = 0;
    for (let day = 1; day <= days; day++) {
      const dayEnd = Math.min(from + day * DAY_MS, to);
      const raw: Tick[] = [];
      const perDay = ((dayEnd - from - (day - 1) * DAY_MS) / INTERVAL_MS) * symbols.length;
      for (let i = 0; i < perDay; i++) {
        const quote = quotes.next().value!;
        const tick: Tick = { ...quote, seq: backfillSeq(quote.ts) };
        stream.add(tick);
        if (tick.ts >= retainFrom) {
          raw.push(tick);
        }
      }
      const closed = day === days ? stream.takeAll() : stream.takeClosed();
      await this.write(closed, raw);
      ticks += perDay;
      rawTicks += raw.length;
      bars += closed.length;
      options.onProgress?.({
        day,
        days,
        ticks,
        bars,
        ticksPerSecond: ticks / ((performance.now() - started) / 1000),
      });
    }
    const elapsedMs = performance.now() - started;

    return {
      from: new Date(from),
      to: new Date(to),
      ticks,
      rawTicks,
      bars,
      elapsedMs,
      ticksPerSecond: ticks / (elapsedMs / 1000),
    };
  }

  // A day per transaction: an interrupted run leaves whole days, and a re-run repairs the rest.
  private write(bars: SymbolBar[], ticks: Tick[]): Promise<void> {
    return this.db.transaction(undefined, async (tx) => {
      for (let i = 0; i < bars.length; i += BAR_CHUNK) {
        await this.candles.upsertBackfilledBars(tx, bars.slice(i, i + BAR_CHUNK));
      }
      for (let i = 0; i < ticks.length; i += TICK_CHUNK) {
        await this.candles.upsertBackfilledTicks(tx, ticks.slice(i, i + TICK_CHUNK));
      }
    });
  }
}
