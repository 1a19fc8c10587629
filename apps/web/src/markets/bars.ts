import type { components } from '@bourse/client';

export type Candle = components['schemas']['CandleDto'];

/**
 * Folds a live bar into a series held oldest first: the forming bar is replaced while its bucket
 * lasts, a newer bucket is appended, and an update older than the last bar (one that crossed a
 * reconnect's refetch) is dropped, as the refetched history already holds it. Returns the
 * series unchanged (same array) when nothing changed, so a caller can skip a redraw.
 */
export function mergeBar(series: readonly Candle[], bar: Candle): readonly Candle[] {
  const last = series.at(-1);
  if (!last || bar.time > last.time) {
    return [...series, bar];
  }
  if (bar.time === last.time) {
    return sameBar(last, bar) ? series : [...series.slice(0, -1), bar];
  }

  return series;
}

/** Merges a refetched page (oldest first) over the series: fetched bars win where they overlap. */
export function mergeHistory(series: readonly Candle[], fetched: readonly Candle[]): Candle[] {
  const first = fetched[0];
  if (!first) {
    return [...series];
  }

  return [...series.filter((bar) => bar.time < first.time), ...fetched];
}

const sameBar = (a: Candle, b: Candle): boolean =>
  a.open === b.open &&
  a.high === b.high &&
  a.low === b.low &&
  a.close === b.close &&
  a.tickCount === b.tickCount;
