export { MarketChannels, MarketKeys } from './market.keys';
export { findSymbol, SYMBOLS, type SymbolSpec } from './symbols';
export type { Quote, Tick } from './tick';
export { bucketStart, TIMEFRAME_NAMES, TIMEFRAMES, type Timeframe } from './timeframes';
