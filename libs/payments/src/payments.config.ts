import { configSection, int, str, url, type AppConfig, type SectionConfig } from '@bourse/platform';

/** Payments' variables and settings (`config.payments`), composed by the apps that load it. */
export const PAYMENTS_CONFIG = configSection({
  key: 'payments',
  vars: {
    PAYMENTS_STRIPE_API_URL: url(['http:', 'https:'], {
      default: 'http://127.0.0.1:3205',
      description:
        'Stripe API base: `https://api.stripe.com` for Stripe, or the local Stripe simulator `npm start` runs (the default).',
    }),
    PAYMENTS_STRIPE_SECRET_KEY: str({
      default: 'sk_test_bourse_simulator',
      secret: true,
      description: "Stripe secret key (`sk_live_…`/`sk_test_…`); the default is the simulator's.",
    }),
    PAYMENTS_STRIPE_WEBHOOK_SECRET: str({
      default: 'whsec_bourse_simulator',
      secret: true,
      description:
        "Signing secret of the Stripe webhook endpoint (`whsec_…`) that `Stripe-Signature` is checked with; the default is the simulator's.",
    }),
    PAYMENTS_PAYPAL_API_URL: url(['http:', 'https:'], {
      default: 'http://127.0.0.1:3206',
      description:
        'PayPal REST base: `https://api-m.paypal.com` (live), `https://api-m.sandbox.paypal.com` (sandbox), or the local PayPal simulator `npm start` runs (the default).',
    }),
    PAYMENTS_PAYPAL_CLIENT_ID: str({
      default: 'bourse-simulator-client',
      description: "PayPal REST app's client id (OAuth client credentials).",
    }),
    PAYMENTS_PAYPAL_CLIENT_SECRET: str({
      default: 'bourse-simulator-secret',
      secret: true,
      description: "Secret of PAYMENTS_PAYPAL_CLIENT_ID; the default is the simulator's.",
    }),
    PAYMENTS_PAYPAL_WEBHOOK_ID: str({
      default: 'WH-BOURSE-SIMULATOR',
      description:
        'Id of the PayPal webhook subscription for `/v1/webhooks/paypal`; deliveries are verified for it.',
    }),
    PAYMENTS_WEBHOOK_TOLERANCE_SECONDS: int({
      default: '300',
      min: 1,
      max: 3600,
      description:
        'How old a signed webhook may be (its signature timestamp) before it is refused as a replay.',
    }),
    PAYMENTS_DISPUTE_ALERT_HOURS: int({
      default: '48',
      min: 1,
      max: 720,
      description:
        'How many hours before the evidence deadline of a dispute staff are alerted (metric, log, in-app notification).',
    }),
    PAYMENTS_DISPUTE_CHECK_INTERVAL_SECONDS: int({
      default: '900',
      min: 1,
      max: 86400,
      description: 'How often the worker looks for disputes whose evidence deadline is near.',
    }),
    PAYMENTS_RECON_INTERVAL_SECONDS: int({
      default: '21600',
      min: 1,
      max: 604800,
      description:
        "How often the worker reconciles each provider's settlement report against the ledger.",
    }),
    PAYMENTS_RECON_WINDOW_HOURS: int({
      default: '48',
      min: 1,
      max: 744,
      description: 'How far back a scheduled reconciliation looks (its window ends at the run).',
    }),
    PAYMENTS_RECON_GRACE_SECONDS: int({
      default: '3600',
      min: 0,
      max: 604800,
      description:
        "What we booked this recently and the provider's report lacks is `expected` (in transit), not `missing_in_provider`.",
    }),
  },
  read: (v) => ({
    stripe: {
      apiUrl: v.PAYMENTS_STRIPE_API_URL,
      secretKey: v.PAYMENTS_STRIPE_SECRET_KEY,
      webhookSecret: v.PAYMENTS_STRIPE_WEBHOOK_SECRET,
    },
    paypal: {
      apiUrl: v.PAYMENTS_PAYPAL_API_URL.replace(/\/$/, ''),
      clientId: v.PAYMENTS_PAYPAL_CLIENT_ID,
      clientSecret: v.PAYMENTS_PAYPAL_CLIENT_SECRET,
      webhookId: v.PAYMENTS_PAYPAL_WEBHOOK_ID,
    },
    webhookToleranceSeconds: v.PAYMENTS_WEBHOOK_TOLERANCE_SECONDS,
    disputeAlertHours: v.PAYMENTS_DISPUTE_ALERT_HOURS,
    disputeCheckIntervalSeconds: v.PAYMENTS_DISPUTE_CHECK_INTERVAL_SECONDS,
    reconIntervalSeconds: v.PAYMENTS_RECON_INTERVAL_SECONDS,
    reconWindowHours: v.PAYMENTS_RECON_WINDOW_HOURS,
    reconGraceSeconds: v.PAYMENTS_RECON_GRACE_SECONDS,
  }),
});

/** The config payments' services inject (APP_CONFIG): the platform's and `payments`. */
export type PaymentsAppConfig = AppConfig & SectionConfig<typeof PAYMENTS_CONFIG>;
