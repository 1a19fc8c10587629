import type { SymbolSpec } from '../symbols';
import { BINANCE_DEFAULTS, BinanceProvider } from './binance.provider';
import { MetalpriceApiProvider } from './metalpriceapi.provider';
import type { PriceProvider, ProviderDeps } from './price-provider';
import { SimulatedProvider } from './simulated.provider';
import type { MarketAppConfig } from '../market.config';

/** A request may take at most this long, or one poll interval when that is shorter. */
const METALPRICEAPI_TIMEOUT_MS = 10_000;
/** Consecutive failures back off up to this (or one poll interval when that is longer). */
const METALPRICEAPI_MAX_BACKOFF_MS = 15 * 60_000;

/**
 * The provider `config.market.provider` names, streaming `symbols`. `lastPrices` (symbol to the
 * last published price, or the newest bar's close when history is newer: `resumePrices`) lets
 * the simulated feed walk on from where the previous leader, or a backfill, left the chart.
 */
export function createPriceProvider(
  config: MarketAppConfig,
  symbols: readonly SymbolSpec[],
  deps?: ProviderDeps,
  lastPrices?: Readonly<Record<string, string>>,
): PriceProvider {
  const market = config.market;
  switch (market.provider) {
    case 'simulated':
      return new SimulatedProvider(
        { seed: market.simSeed, ticksPerSecond: market.simTicksPerSecond, resumeFrom: lastPrices },
        symbols,
        deps,
      );
    case 'metalpriceapi':
      return new MetalpriceApiProvider(
        {
          ...market.metalpriceapi,
          timeoutMs: Math.min(METALPRICEAPI_TIMEOUT_MS, market.metalpriceapi.pollMs),
          maxBackoffMs: Math.max(METALPRICEAPI_MAX_BACKOFF_MS, market.metalpriceapi.pollMs),
        },
        symbols,
        deps,
      );
    case 'binance':
      return new BinanceProvider(
        { ...BINANCE_DEFAULTS, wsUrl: market.binanceWsUrl },
        symbols,
        deps,
      );
    case 'none':
      // The worker does not start the upstream at all with `none` (see WorkerModule).
      throw new Error('MARKET_PROVIDER=none: there is no provider to create');
  }
}
