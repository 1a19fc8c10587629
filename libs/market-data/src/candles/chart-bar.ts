import type { Timeframe } from '../timeframes';

/** A bar's prices (decimal strings, as the ticks carried them) and how many ticks made it. */
export interface Ohlc {
  open: string;
  high: string;
  low: string;
  close: string;
  tickCount: number;
}

/** A bar as the REST api and the candle channel show it (lightweight-charts' shape). */
export interface ChartBar extends Ohlc {
  /** Bucket start, UTC epoch seconds. */
  time: number;
}

/** Published on `MarketChannels.candles(prefix)` after each flush, oldest bucket first. */
export interface CandleUpdate {
  symbol: string;
  timeframe: Timeframe;
  bar: ChartBar;
}
