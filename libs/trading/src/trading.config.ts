import { configSection, int, str, url, type AppConfig, type SectionConfig } from '@bourse/platform';

/** Trading's variables and settings (`config.trading`), composed by the apps that load it. */
export const TRADING_CONFIG = configSection({
  key: 'trading',
  vars: {
    TRADING_SPREAD_BPS: int({
      default: '50',
      min: 0,
      max: 1000,
      description:
        'Half-spread in basis points: the ask is the live mid price plus this much, the bid the mid minus this much.',
    }),
    TRADING_FEE_BPS: int({
      default: '25',
      min: 0,
      max: 1000,
      description: 'Trading fee in basis points of the gross cash amount, rounded up.',
    }),
    TRADING_QUOTE_TTL_SECONDS: int({
      default: '8',
      min: 1,
      max: 120,
      description: 'How long a quote can be executed at its locked price.',
    }),
    TRADING_PRICE_MAX_AGE_MS: int({
      default: '5000',
      min: 100,
      description: 'A quote is refused when the last tick of the metal is older than this.',
    }),
    TRADING_CUSTODY_API_URL: url(['http:', 'https:'], {
      default: 'http://127.0.0.1:3229',
      description:
        "Base URL of the custodian bank's custody API (statements, settlement instructions); the local simulator by default.",
    }),
    TRADING_CUSTODY_API_KEY: str({
      default: 'dev-only-custody-api-key',
      requiredInProduction: true,
      secret: true,
      description: 'Bearer key of the custody API.',
    }),
    TRADING_CUSTODY_ACCOUNT: str({
      default: 'BOURSE-CLIENT-METALS-01',
      description: 'The custody account holding the clients’ metal.',
    }),
    TRADING_CUSTODY_TIMEOUT_MS: int({
      default: '10000',
      min: 1,
      description: 'Timeout of one call to the custody API.',
    }),
    TRADING_RECONCILE_INTERVAL_SECONDS: int({
      default: '86400',
      min: 1,
      description:
        "How often the worker reconciles the users' metal balances with the custodian's statement.",
    }),
  },
  read: (v) => ({
    spreadBps: v.TRADING_SPREAD_BPS,
    feeBps: v.TRADING_FEE_BPS,
    quoteTtlSeconds: v.TRADING_QUOTE_TTL_SECONDS,
    priceMaxAgeMs: v.TRADING_PRICE_MAX_AGE_MS,
    custody: {
      apiUrl: v.TRADING_CUSTODY_API_URL,
      apiKey: v.TRADING_CUSTODY_API_KEY,
      account: v.TRADING_CUSTODY_ACCOUNT,
      timeoutMs: v.TRADING_CUSTODY_TIMEOUT_MS,
    },
    reconcileIntervalSeconds: v.TRADING_RECONCILE_INTERVAL_SECONDS,
  }),
});

/** The config trading's services inject (APP_CONFIG): the platform's and `trading`. */
export type TradingAppConfig = AppConfig & SectionConfig<typeof TRADING_CONFIG>;
