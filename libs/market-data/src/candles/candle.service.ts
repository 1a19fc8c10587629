import { APP_CONFIG, Database, REDIS } from '@bourse/platform';
import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import type Redis from 'ioredis';
import { MarketChannels } from '../market.keys';
import { findSymbol, SYMBOLS } from '../symbols';
import type { Tick } from '../tick';
import type { Timeframe } from '../timeframes';
import { CandleRepository, type StoredBar } from './candle.repository';
import type { CandleUpdate, ChartBar } from './chart-bar';
import { UnknownSymbolError } from './market.errors';
import type { MarketAppConfig } from '../market.config';

export interface CandleQuery {
  symbol: string;
  timeframe: Timeframe;
  /** Earliest bucket start, UTC epoch seconds (inclusive). */
  from?: number;
  /** Latest bucket start, UTC epoch seconds (inclusive). */
  to?: number;
  limit: number;
}

// One flush carries at most this many ticks (one statement, bounded arrays); a larger backlog
// drains in consecutive flushes without waiting for the interval.
const MAX_FLUSH_TICKS = 20_000;
// Ticks kept while Postgres is unreachable; beyond that the oldest are dropped (the candles of
// that gap are then short of ticks, the last prices in Redis are not affected).
const MAX_BUFFERED_TICKS = 500_000;
const PRUNE_BATCH = 10_000;

export function toChartBar(bar: StoredBar): ChartBar {
  return {
    time: bar.time,
    open: bar.open,
    high: bar.high,
    low: bar.low,
    close: bar.close,
    tickCount: bar.tickCount,
  };
}

/**
 * Candles of the six timeframes, maintained incrementally: `add` buffers published ticks, a
 * loop flushes them every `market.candleFlushMs` (raw ticks and bar upserts in one statement),
 * then publishes the bars it changed. Reads never recompute: they scan stored bars.
 */
@Injectable()
export class CandleService
  implements OnApplicationBootstrap, OnModuleDestroy, BeforeApplicationShutdown
{
  private readonly logger = new Logger('CandleService');
  private readonly channel: string;
  private buffer: Tick[] = [];
  private timer?: NodeJS.Timeout;
  private stopped = false;
  // Flushes run one after another: the loop's and explicit ones share this chain.
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    @Inject(APP_CONFIG) private readonly config: MarketAppConfig,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly db: Database,
    private readonly repo: CandleRepository,
  ) {
    this.channel = MarketChannels.candles(config.redis.keyPrefix);
  }

  /** Buffers a published tick; it reaches Postgres and the candle channel with the next flush. */
  add(tick: Tick): void {
    this.buffer.push(tick);
  }

  /** Ticks waiting for a flush. */
  get pending(): number {
    return this.buffer.length;
  }

  /**
   * Writes up to MAX_FLUSH_TICKS buffered ticks and their bars, then publishes the changed bars.
   * On a database error the ticks go back to the buffer: the retry is exact even if the failed
   * attempt had committed, since already stored ticks are skipped.
   */
  flush(): Promise<CandleUpdate[]> {
    const run = this.chain.then(() => this.flushBatch());
    this.chain = run.catch(() => undefined);

    return run;
  }

  /** Candles oldest first: the newest `limit` bars whose bucket starts within [from, to]. */
  /** The newest 1m bar by `at` (epoch ms) of each symbol that has history (live or backfilled). */
  async newestBars(at: number): Promise<(ChartBar & { symbol: string })[]> {
    const bars = await this.repo.newestBars(
      this.db.manager,
      SYMBOLS.map((s) => s.symbol),
      '1m',
      new Date(at),
    );

    return bars.map((bar) => ({ symbol: bar.symbol, ...toChartBar(bar) }));
  }

  async candles(query: CandleQuery): Promise<ChartBar[]> {
    if (!findSymbol(query.symbol)) {
      throw new UnknownSymbolError(query.symbol);
    }
    const from = new Date((query.from ?? 0) * 1000);
    // Without `to`, the forming bar (bucket start <= now) is included, and nothing later exists.
    const to = query.to === undefined ? new Date(8.64e15) : new Date(query.to * 1000);
    const bars = await this.repo.latestBars(
      this.db.manager,
      query.symbol,
      query.timeframe,
      from,
      to,
      query.limit,
    );

    return bars.reverse().map(toChartBar);
  }

  /**
   * Deletes raw ticks older than `olderThan` in batches of PRUNE_BATCH, each its own short
   * statement so the writers' flushes never wait long; returns how many went.
   */
  async pruneTicks(olderThan: Date): Promise<number> {
    let total = 0;
    for (;;) {
      const deleted = await this.repo.deleteTicksBefore(this.db.manager, olderThan, PRUNE_BATCH);
      total += deleted;
      if (deleted < PRUNE_BATCH) {
        return total;
      }
    }
  }

  onApplicationBootstrap(): void {
    this.schedule(this.config.market.candleFlushMs);
  }

  onModuleDestroy(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  // After every module's destroy hook (the upstream has stopped adding ticks) and before the
  // pools close: write what is left.
  async beforeApplicationShutdown(): Promise<void> {
    try {
      while (this.buffer.length > 0) {
        await this.flush();
      }
    } catch (error) {
      this.logger.error({ msg: 'ticks not written at shutdown', lost: this.pending, err: error });
    }
  }

  private schedule(delayMs: number): void {
    if (this.stopped) {
      return;
    }
    this.timer = setTimeout(() => {
      this.flush().then(
        () =>
          this.schedule(
            this.buffer.length >= MAX_FLUSH_TICKS ? 0 : this.config.market.candleFlushMs,
          ),
        (error: unknown) => {
          this.logger.error({
            msg: 'candle flush failed; ticks kept for the next one',
            err: error,
          });
          this.schedule(this.config.market.candleFlushMs);
        },
      );
    }, delayMs);
  }

  private async flushBatch(): Promise<CandleUpdate[]> {
    if (this.buffer.length === 0) {
      return [];
    }
    const batch = this.buffer.slice(0, MAX_FLUSH_TICKS);
    this.buffer = this.buffer.slice(batch.length);
    let bars: StoredBar[];
    try {
      // One statement is one transaction: raw ticks and bars commit together or not at all.
      bars = await this.repo.storeTicks(this.db.manager, batch);
    } catch (error) {
      this.requeue(batch);
      throw error;
    }
    const updates = bars
      .sort((a, b) => a.time - b.time)
      .map((bar) => ({ symbol: bar.symbol, timeframe: bar.timeframe, bar: toChartBar(bar) }));
    await this.publish(updates);

    return updates;
  }

  private requeue(batch: Tick[]): void {
    const kept = batch.concat(this.buffer);
    const dropped = kept.length - MAX_BUFFERED_TICKS;
    if (dropped > 0) {
      this.logger.error({ msg: 'candle buffer full; oldest ticks dropped', dropped });
    }
    this.buffer = dropped > 0 ? kept.slice(dropped) : kept;
  }

  // The bars are committed: a Redis hiccup costs subscribers one update, not a rewrite.
  private async publish(updates: CandleUpdate[]): Promise<void> {
    if (updates.length === 0) {
      return;
    }
    const pipeline = this.redis.pipeline();
    for (const update of updates) {
      pipeline.publish(this.channel, JSON.stringify(update));
    }
    await pipeline.exec().catch((error: unknown) => {
      this.logger.warn({ msg: 'candle updates not published', err: error });
    });
  }
}
