import {
  configSection,
  int,
  oneOf,
  str,
  url,
  type AppConfig,
  type SectionConfig,
} from '@bourse/platform';

/** Market data's variables and settings (`config.market`), composed by the apps that load it. */
export const MARKET_CONFIG = configSection({
  key: 'market',
  vars: {
    MARKET_PROVIDER: oneOf(['simulated', 'metalpriceapi', 'binance', 'none'] as const, {
      default: 'simulated',
      description:
        'Upstream price provider the worker subscribes to (one leader per provider); `none` runs no upstream.',
    }),
    MARKET_SIM_SEED: int({
      default: '42',
      description: 'Seed of the simulated provider (same seed, same prices).',
    }),
    MARKET_SIM_TICKS_PER_SECOND: int({
      default: '5',
      min: 1,
      max: 1000,
      description: 'Ticks per second per symbol from the simulated provider.',
    }),
    METALPRICEAPI_URL: url(['http:', 'https:'], {
      default: 'https://api.metalpriceapi.com/v1',
      description: 'Base URL of the metalpriceapi REST API.',
    }),
    METALPRICEAPI_KEY: str({
      default: '',
      minLength: 0,
      secret: true,
      description: 'API key for metalpriceapi (required when MARKET_PROVIDER=metalpriceapi).',
    }),
    METALPRICEAPI_POLL_MS: int({
      default: '60000',
      min: 1000,
      description: 'metalpriceapi polling interval.',
    }),
    BINANCE_WS_URL: url(['ws:', 'wss:'], {
      default: 'wss://stream.binance.com:9443',
      description: 'Base URL of the Binance WebSocket market streams.',
    }),
    MARKET_LEASE_TTL_MS: int({
      default: '5000',
      min: 500,
      description:
        'Expiry of a provider leader lease; a dead leader is replaced within about this long.',
    }),
    MARKET_CANDLE_FLUSH_MS: int({
      default: '250',
      min: 10,
      description:
        'How often buffered ticks are written to Postgres as raw ticks and candle upserts.',
    }),
    MARKET_TICK_RETENTION_HOURS: int({
      default: '48',
      min: 1,
      description: 'How long raw ticks are kept before the prune job deletes them.',
    }),
    PRICES_MAX_CONNECTIONS_PER_IP: int({
      default: '50',
      min: 1,
      description: 'Socket.IO /prices connections allowed per client IP on one api node.',
    }),
  },
  read: (v) => ({
    provider: v.MARKET_PROVIDER,
    simSeed: v.MARKET_SIM_SEED,
    simTicksPerSecond: v.MARKET_SIM_TICKS_PER_SECOND,
    metalpriceapi: {
      url: v.METALPRICEAPI_URL,
      key: v.METALPRICEAPI_KEY,
      pollMs: v.METALPRICEAPI_POLL_MS,
    },
    binanceWsUrl: v.BINANCE_WS_URL,
    leaseTtlMs: v.MARKET_LEASE_TTL_MS,
    candleFlushMs: v.MARKET_CANDLE_FLUSH_MS,
    tickRetentionHours: v.MARKET_TICK_RETENTION_HOURS,
    maxConnectionsPerIp: v.PRICES_MAX_CONNECTIONS_PER_IP,
  }),
  check: (v) =>
    v.MARKET_PROVIDER === 'metalpriceapi' && !v.METALPRICEAPI_KEY
      ? ['METALPRICEAPI_KEY: is required when MARKET_PROVIDER=metalpriceapi']
      : [],
});

/** The config market data's services inject (APP_CONFIG): the platform's and `market`. */
export type MarketAppConfig = AppConfig & SectionConfig<typeof MARKET_CONFIG>;
