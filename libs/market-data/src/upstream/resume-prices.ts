import type { ChartBar } from '../candles/chart-bar';
import type { Tick } from '../tick';
import { TIMEFRAMES } from '../timeframes';

/**
 * Where a new simulated leader walks on from, per symbol: the last published tick, unless the
 * candle history (newest 1m bars) continues past it, written while no feed ran (a backfill,
 * as `npm start` seeds it), in which case the close of the newest bar. Either way the live
 * chart continues from its last bar instead of jumping at the seam. A symbol with neither
 * starts at `simulatedStart`.
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
    // History beats the tick only when it began a whole bar after it: a bar the live feed was
    // still filling (or one of the minute after) is not history written in its absence.
    if (!tick || at >= tick.at + TIMEFRAMES['1m']) {
      prices[bar.symbol] = { price: bar.close, at };
    }
  }

  return Object.fromEntries(Object.entries(prices).map(([symbol, { price }]) => [symbol, price]));
}
