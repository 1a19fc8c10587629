import type { Tick } from '../tick';
import { bucketStart, TIMEFRAME_NAMES, type Timeframe } from '../timeframes';
import type { Ohlc } from './chart-bar';

/**
 * One OHLC bar. Prices are decimal strings as the ticks carried them; `firstSeq`/`lastSeq` are
 * the sequences of the opening and closing ticks, so bars built from the same ticks in any order
 * (or in separate flushes) agree: the lowest sequence opens, the highest closes.
 */
export interface Bar extends Ohlc {
  /** Bucket start, epoch milliseconds (UTC-aligned, see `bucketStart`). */
  bucket: number;
  firstSeq: number;
  lastSeq: number;
}

/** A bar with what it is a bar of. */
export interface SymbolBar extends Bar {
  symbol: string;
  timeframe: Timeframe;
}

const integerDigits = (value: string): number => {
  const dot = value.indexOf('.');

  return dot < 0 ? value.length : dot;
};

/**
 * Orders two non-negative decimal strings without leading zeros (prices as Bourse writes them)
 * without turning them into floats: more integer digits is larger; otherwise the characters
 * compare like the numbers. Equal values written with different scales ("1.5", "1.50") compare
 * unequal, which is harmless for min/max.
 */
export function compareDecimal(a: string, b: string): number {
  const digits = integerDigits(a) - integerDigits(b);
  if (digits !== 0) {
    return digits;
  }

  return a < b ? -1 : a > b ? 1 : 0;
}

/** The bar of a single tick in `timeframe`. */
export function barOf(tick: Tick, timeframe: Timeframe): Bar {
  return {
    bucket: bucketStart(tick.ts, timeframe),
    open: tick.price,
    high: tick.price,
    low: tick.price,
    close: tick.price,
    tickCount: 1,
    firstSeq: tick.seq,
    lastSeq: tick.seq,
  };
}

/**
 * Folds a tick of the bar's bucket into it, in place. Order-safe: a late tick with a lower
 * sequence becomes the open, never the close (the same rule the SQL upsert applies).
 */
export function foldInto(bar: Bar, tick: Tick): void {
  if (compareDecimal(tick.price, bar.high) > 0) {
    bar.high = tick.price;
  }
  if (compareDecimal(tick.price, bar.low) < 0) {
    bar.low = tick.price;
  }
  if (tick.seq < bar.firstSeq) {
    bar.open = tick.price;
    bar.firstSeq = tick.seq;
  }
  if (tick.seq > bar.lastSeq) {
    bar.close = tick.price;
    bar.lastSeq = tick.seq;
  }
  bar.tickCount += 1;
}

/** Bars of one symbol's distinct ticks (any order) in `timeframe`, oldest first. */
export function aggregate(ticks: Iterable<Tick>, timeframe: Timeframe): Bar[] {
  const bars = new Map<number, Bar>();
  for (const tick of ticks) {
    const bucket = bucketStart(tick.ts, timeframe);
    const bar = bars.get(bucket);
    if (bar) {
      foldInto(bar, tick);
    } else {
      bars.set(bucket, barOf(tick, timeframe));
    }
  }

  return [...bars.values()].sort((a, b) => a.bucket - b.bucket);
}

/**
 * Streams ticks that arrive in time order per symbol (a backfill) into bars of all six
 * timeframes, keeping only each symbol's forming bar per timeframe in memory: a tick in a later
 * bucket closes the forming bar, which `takeClosed` then hands over.
 */
export class BarStream {
  private readonly forming = new Map<string, Bar[]>();
  private closed: SymbolBar[] = [];

  add(tick: Tick): void {
    let bars = this.forming.get(tick.symbol);
    if (!bars) {
      bars = TIMEFRAME_NAMES.map((timeframe) => barOf(tick, timeframe));
      this.forming.set(tick.symbol, bars);

      return;
    }
    for (let i = 0; i < TIMEFRAME_NAMES.length; i++) {
      const timeframe = TIMEFRAME_NAMES[i]!;
      const bar = bars[i]!;
      if (bucketStart(tick.ts, timeframe) === bar.bucket) {
        foldInto(bar, tick);
      } else {
        this.closed.push({ ...bar, symbol: tick.symbol, timeframe });
        bars[i] = barOf(tick, timeframe);
      }
    }
  }

  /** Bars completed since the last call. */
  takeClosed(): SymbolBar[] {
    const closed = this.closed;
    this.closed = [];

    return closed;
  }

  /** Everything: completed bars and the forming ones (which are forgotten). */
  takeAll(): SymbolBar[] {
    const all = this.takeClosed();
    for (const [symbol, bars] of this.forming) {
      bars.forEach((bar, i) => all.push({ ...bar, symbol, timeframe: TIMEFRAME_NAMES[i]! }));
    }
    this.forming.clear();

    return all;
  }
}
