export { MARKET_CONFIG, type MarketAppConfig } from './market.config';
export { MarketChannels, MarketKeys } from './market.keys';
export { findSymbol, SYMBOLS, type SymbolSpec } from './symbols';
export type { Quote, Tick } from './tick';
export { bucketStart, TIMEFRAME_NAMES, TIMEFRAMES, type Timeframe } from './timeframes';
export { MARKET_QUEUE, MarketJob, type PruneTicksJob } from './market.jobs';
export { aggregate, type Bar } from './candles/candle.math';
export {
  CandleBackfill,
  type BackfillOptions,
  type BackfillProgress,
  type BackfillResult,
} from './candles/candle.backfill';
export { CandleService, type CandleQuery } from './candles/candle.service';
export type { CandleUpdate, ChartBar } from './candles/chart-bar';
export { CandlesModule } from './candles/candles.module';
export { CandleDto, CandlesQueryDto, PriceDto, SymbolDto } from './candles/market.dto';
export { NoPriceError, UnknownSymbolError } from './candles/market.errors';
export { PricesService } from './candles/prices.service';
export {
  LeaderLease,
  type LeaderLeaseOptions,
  type LeaseHandlers,
  type LeaseKeys,
  type LeaseLossReason,
  type LeaseTimers,
} from './upstream/leader-lease';
export { normalizePrice } from './upstream/price.normalize';
export { MarketUpstream } from './upstream/market-upstream.service';
export { MarketUpstreamModule } from './upstream/market-upstream.module';
export { TickPublisher, type DropReason, type PublishResult } from './upstream/tick-publisher';
export { UpstreamRunner, type UpstreamObserver } from './upstream/upstream.runner';
export {
  BINANCE_PAIRS,
  BinanceProvider,
  createPriceProvider,
  MetalpriceApiProvider,
  SimulatedProvider,
  simulatedQuotes,
  type PriceProvider,
  type ProviderDeps,
  type ProviderLogger,
  type ProviderName,
} from './providers';
export { MarketFanoutModule } from './fanout/market-fanout.module';
export { PriceFanout } from './fanout/price-fanout.service';
export {
  PRICES_NAMESPACE,
  PricesErrorCode,
  PricesEvent,
  type CandlesRequest,
  type PricesAck,
  type PricesClientEvents,
  type PricesConnectError,
  type PricesError,
  type PricesServerEvents,
  type Rejection,
  type SubscribeAck,
  type SubscribeCandlesAck,
  type SymbolsRequest,
  type UnsubscribeAck,
  type UnsubscribeCandlesAck,
} from './fanout/prices.events';
export { PRICES_ASYNCAPI } from './fanout/prices.asyncapi';
