import { configSection, url } from '@bourse/platform';

/** Where `stripe:simulator` delivers its webhooks (`config.stripeSimulator`): the cli's own. */
export const STRIPE_SIMULATOR_CONFIG = configSection({
  key: 'stripeSimulator',
  vars: {
    STRIPE_SIMULATOR_WEBHOOK_URL: url(['http:', 'https:'], {
      default: 'http://127.0.0.1:3000/v1/webhooks/stripe',
      description:
        "Where the local Stripe simulator (`npm start`, compose) POSTs its signed events: the api's `/v1/webhooks/stripe`.",
    }),
  },
  read: (v) => ({ webhookUrl: v.STRIPE_SIMULATOR_WEBHOOK_URL }),
});
