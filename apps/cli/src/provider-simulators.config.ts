import { configSection, url } from '@bourse/platform';

/** Where the payment simulators deliver their webhooks (`config.providerSimulators`): the cli's own. */
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
  },
  read: (v) => ({
    stripeWebhookUrl: v.STRIPE_SIMULATOR_WEBHOOK_URL,
    paypalWebhookUrl: v.PAYPAL_SIMULATOR_WEBHOOK_URL,
  }),
});
