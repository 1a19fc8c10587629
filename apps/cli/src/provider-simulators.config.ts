import { configSection, int, oneOf, url } from '@bourse/platform';

/** Where the provider simulators deliver their webhooks, and how (`config.providerSimulators`): the cli's own. */
export const PROVIDER_SIMULATORS_CONFIG = configSection({
  key: 'providerSimulators',
  vars: {
    STRIPE_SIMULATOR_WEBHOOK_URL: url(['http:', 'https:'], {
      default: 'http://127.0.0.1:3000/v1/webhooks/stripe',
      description:
        "Where the local Stripe simulator (`npm start`, compose) POSTs its signed events: the api's `/v1/webhooks/stripe`.",
    }),
    PAYPAL_SIMULATOR_WEBHOOK_URL: url(['http:', 'https:'], {
      default: 'http://127.0.0.1:3000/v1/webhooks/paypal',
      description:
        "Where the local PayPal simulator (`npm start`, compose) POSTs its signed events: the api's `/v1/webhooks/paypal`.",
    }),
    SUMSUB_SIMULATOR_WEBHOOK_URL: url(['http:', 'https:'], {
      default: 'http://127.0.0.1:3000/webhooks/sumsub',
      description:
        "Where the local Sumsub simulator (`npm start`, compose) POSTs its signed review results: the api's `/webhooks/sumsub`.",
    }),
    SUMSUB_SIMULATOR_REVIEW_DELAY_MS: int({
      default: '3000',
      min: 0,
      description: 'How long the local Sumsub simulator takes to review an applicant.',
    }),
    SUMSUB_SIMULATOR_DIGEST_ALG: oneOf(
      ['HMAC_SHA1_HEX', 'HMAC_SHA256_HEX', 'HMAC_SHA512_HEX'] as const,
      {
        default: 'HMAC_SHA256_HEX',
        description:
          'The `X-Payload-Digest-Alg` the local Sumsub simulator signs its webhooks with.',
      },
    ),
  },
  read: (v) => ({
    stripeWebhookUrl: v.STRIPE_SIMULATOR_WEBHOOK_URL,
    paypalWebhookUrl: v.PAYPAL_SIMULATOR_WEBHOOK_URL,
    sumsub: {
      webhookUrl: v.SUMSUB_SIMULATOR_WEBHOOK_URL,
      reviewDelayMs: v.SUMSUB_SIMULATOR_REVIEW_DELAY_MS,
      digestAlgorithm: v.SUMSUB_SIMULATOR_DIGEST_ALG,
    },
  }),
});
