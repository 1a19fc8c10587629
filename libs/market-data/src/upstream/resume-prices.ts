import type { ChartBar } from '../candles/chart-bar';
import type { Tick } from '../tick';

/**
 * Where a new simulated leader walks on from, per symbol: the last published tick, unless the
 * candle history is newer (a backfill written after the feed last ran, as `npm start` seeds
 * it), in which case the close of the newest bar. Either way the live chart continues from its
 * last bar instead of jumping at the seam. A symbol with neither starts at `simulatedStart`.
 */
export function resumePrices(
  lastTicks: readonly Tick[],
  newestBars: readonly (ChartBar & { symbol: string })[],
): Record<string, string> {
  const prices: Record<string, { price: string; at: number }> = {};
  for (const tick of lastTicks) {
    prices[tick.symbol] = { price: tick.price, at: tick.ts };
  }
  for (const bar of newestBars) {
    const at = bar.time * 1000;
    const tick = prices[bar.symbol];
    // A bar that began after the last tick holds only ticks the feed never published: history.
    if (!tick || at > tick.at) {
      prices[bar.symbol] = { price: bar.close, at };
    }
  }

  return Object.fromEntries(Object.entries(prices).map(([symbol, { price }]) => [symbol, price]));
}
