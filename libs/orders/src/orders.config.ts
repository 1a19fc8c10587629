import {
  configSection,
  int,
  list,
  str,
  url,
  type AppConfig,
  type SectionConfig,
} from '@bourse/platform';

/** Top-up orders' variables (`config.orders`), composed by the apps that load libs/orders. */
export const ORDERS_CONFIG = configSection({
  key: 'orders',
  vars: {
    TOPUP_DTONE_API_URL: url(['http:', 'https:'], {
      default: 'http://127.0.0.1:3230',
      description:
        'DT One DVS API base: `https://dvs-api.dtone.com` (live), `https://preprod-dvs-api.dtone.com` (pre-production), or the local simulator `npm start` runs (the default).',
    }),
    TOPUP_DTONE_API_KEY: str({
      default: 'dtone-simulator-key',
      description: 'DT One API key (the Basic auth user).',
    }),
    TOPUP_DTONE_API_SECRET: str({
      default: 'dtone-simulator-secret',
      secret: true,
      description: "DT One API secret (the Basic auth password); the default is the simulator's.",
    }),
    TOPUP_CALLBACK_BASE_URL: url(['http:', 'https:'], {
      default: 'http://127.0.0.1:3000',
      description:
        "The api's public base URL the aggregator's callbacks reach (`<base>/v1/webhooks/aggregator`).",
    }),
    TOPUP_ASSET: str({
      default: 'USD',
      description: 'Ledger asset consumers pay top-ups in (the aggregator prices in it too).',
    }),
    TOPUP_FEE_BPS: int({
      default: '300',
      min: 0,
      max: 10000,
      description: "Our fee on a consumer's top-up, in basis points of the aggregator's cost.",
    }),
    TOPUP_QUOTE_TTL_SECONDS: int({
      default: '120',
      min: 5,
      max: 3600,
      description: 'How long a top-up quote can be ordered from.',
    }),
    TOPUP_PAYMENT_TIMEOUT_SECONDS: int({
      default: '900',
      min: 10,
      description:
        'How long a card or PayPal payment may stay unauthorised before the order expires.',
    }),
    TOPUP_POLL_DELAYS_MS: list({
      default: '2000,4000,8000,16000,30000,60000',
      description:
        'Back-off of the status polls after a submit when no callback settles the order; after the last the order fails and is refunded.',
    }),
    TOPUP_SWEEP_INTERVAL_SECONDS: int({
      default: '30',
      min: 1,
      description: 'How often the sweeper looks for orders stuck in an unfinished state.',
    }),
    TOPUP_STUCK_AFTER_SECONDS: int({
      default: '60',
      min: 1,
      description: 'An unfinished order untouched this long has its current step enqueued again.',
    }),
    TOPUP_CATALOGUE_REFRESH_SECONDS: int({
      default: '3600',
      min: 10,
      description: "How often the worker re-reads the aggregator's operators and products.",
    }),
    TOPUP_JOB_LOCK_MS: int({
      default: '4000',
      min: 1000,
      description:
        "Lock of a running top-up job: a killed worker's job is picked up again about this long after (Bull's default is 30 s).",
    }),
    TOPUP_CONCURRENCY: int({
      default: '50',
      min: 1,
      description: 'Top-up jobs one worker runs at once (they mostly wait on the aggregator).',
    }),
    TOPUP_AGGREGATOR_TIMEOUT_MS: int({
      default: '10000',
      min: 100,
      description: 'Timeout of one call to the aggregator.',
    }),
  },
  read: (v) => ({
    dtone: {
      apiUrl: v.TOPUP_DTONE_API_URL.replace(/\/$/, ''),
      apiKey: v.TOPUP_DTONE_API_KEY,
      apiSecret: v.TOPUP_DTONE_API_SECRET,
      timeoutMs: v.TOPUP_AGGREGATOR_TIMEOUT_MS,
    },
    callbackBaseUrl: v.TOPUP_CALLBACK_BASE_URL.replace(/\/$/, ''),
    asset: v.TOPUP_ASSET,
    feeBps: v.TOPUP_FEE_BPS,
    quoteTtlSeconds: v.TOPUP_QUOTE_TTL_SECONDS,
    paymentTimeoutSeconds: v.TOPUP_PAYMENT_TIMEOUT_SECONDS,
    pollDelaysMs: v.TOPUP_POLL_DELAYS_MS.map(Number).filter((ms) => ms > 0),
    sweepIntervalSeconds: v.TOPUP_SWEEP_INTERVAL_SECONDS,
    stuckAfterSeconds: v.TOPUP_STUCK_AFTER_SECONDS,
    catalogueRefreshSeconds: v.TOPUP_CATALOGUE_REFRESH_SECONDS,
    jobLockMs: v.TOPUP_JOB_LOCK_MS,
    concurrency: v.TOPUP_CONCURRENCY,
  }),
});

export type OrdersAppConfig = AppConfig & SectionConfig<typeof ORDERS_CONFIG>;
