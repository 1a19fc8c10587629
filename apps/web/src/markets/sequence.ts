import type { PricesServerEvents } from '@bourse/market-data/contract';

export type Tick = Parameters<PricesServerEvents['tick']>[0];

/** What a tick means against the last `seq` seen for its symbol. */
export type TickVerdict = 'next' | 'gap' | 'stale';

/**
 * Per-symbol `seq` bookkeeping. `seq` grows by one per published tick, so `last + 1` is the normal
 * case, a jump means ticks were conflated or lost (still the newest price, but a client that
 * keeps a tape asks for a fresh snapshot), and anything not above `last` is older than what is
 * shown (a tick held while a snapshot was read) and is dropped.
 */
export class SequenceTracker {
  private readonly last = new Map<string, number>();

  /** A snapshot's ticks move the baseline of their symbols forward (never back). */
  reset(ticks: readonly Tick[]): void {
    for (const tick of ticks) {
      this.last.set(tick.symbol, Math.max(tick.seq, this.last.get(tick.symbol) ?? tick.seq));
    }
  }

  accept(tick: Tick): TickVerdict {
    const last = this.last.get(tick.symbol);
    if (last !== undefined && tick.seq <= last) {
      return 'stale';
    }
    this.last.set(tick.symbol, tick.seq);

    return last === undefined || tick.seq === last + 1 ? 'next' : 'gap';
  }
}
