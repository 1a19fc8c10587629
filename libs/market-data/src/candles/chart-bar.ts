import type { Timeframe } from '../timeframes';

/** A bar as the REST api and the candle channel show it (lightweight-charts' shape). */
export interface ChartBar {
  /** Bucket start, UTC epoch seconds. */
  time: number;
  open: string;
  high: string;
  low: string;
  close: string;
  tickCount: number;
}

/** Published on `MarketChannels.candles(prefix)` after each flush, oldest bucket first. */
export interface CandleUpdate {
  symbol: string;
  timeframe: Timeframe;
  bar: ChartBar;
}
