/** The six candle timeframes, with their bucket length in milliseconds. */
export const TIMEFRAMES = {
  '1m': 60_000,
  '5m': 5 * 60_000,
  '15m': 15 * 60_000,
  '1h': 60 * 60_000,
  '4h': 4 * 60 * 60_000,
  '1d': 24 * 60 * 60_000,
} as const;

export type Timeframe = keyof typeof TIMEFRAMES;

export const TIMEFRAME_NAMES = Object.keys(TIMEFRAMES) as Timeframe[];

/** Start of the bucket holding `ts` (UTC-aligned; 1d buckets start at 00:00 UTC). */
export function bucketStart(ts: number, timeframe: Timeframe): number {
  const size = TIMEFRAMES[timeframe];

  return ts - (((ts % size) + size) % size);
}
