export {
  BINANCE_DEFAULTS,
  BINANCE_PAIRS,
  BinanceProvider,
  type BinanceOptions,
} from './binance.provider';
export { createPriceProvider } from './create-price-provider';
export { MetalpriceApiProvider, type MetalpriceApiOptions } from './metalpriceapi.provider';
export type { PriceProvider, ProviderDeps, ProviderLogger, ProviderName } from './price-provider';
export { SimulatedProvider, simulatedQuotes, type SimulatedOptions } from './simulated.provider';
