import {
  configSection,
  int,
  oneOf,
  str,
  url,
  type AppConfig,
  type SectionConfig,
} from '@bourse/platform';

/** The local OneSignal simulator's REST API key, used when none is configured. */
export const ONESIGNAL_SIMULATOR_KEY = 'os_v2_app_simulator_local_only';

/** The local Twilio simulator's account, used when none is configured. */
export const TWILIO_SIMULATOR_ACCOUNT_SID = 'AC00000000000000000000000000000001';
export const TWILIO_SIMULATOR_AUTH_TOKEN = 'twilio_simulator_local_only';

/** Notifications' variables and settings (`config.notifications`), composed by the apps. */
export const NOTIFICATIONS_CONFIG = configSection({
  key: 'notifications',
  vars: {
    NOTIFICATIONS_SMTP_URL: url(['smtp:', 'smtps:'], {
      default: 'smtp://127.0.0.1:3226',
      secret: true,
      description:
        'SMTP relay e-mail notifications are sent through (`smtps://user:pass@host:465` for a provider; credentials in the URL). The default is the capture server `npm start` runs.',
    }),
    NOTIFICATIONS_EMAIL_FROM: str({
      default: 'Bourse <no-reply@bourse.local>',
      description: 'From address of e-mail notifications.',
    }),
    NOTIFICATIONS_MAX_CONNECTIONS_PER_IP: int({
      default: '20',
      min: 1,
      description: 'Socket.IO /notifications connections allowed per client IP on one api node.',
    }),
    ONESIGNAL_API_URL: url(['http:', 'https:'], {
      default: 'http://127.0.0.1:3225',
      description:
        'OneSignal REST API: `https://api.onesignal.com`, or the local simulator `npm start` runs (the default).',
    }),
    ONESIGNAL_APP_ID: str({
      default: '00000000-0000-4000-8000-000000000001',
      description:
        'OneSignal app id push notifications are sent from (the simulator accepts this default).',
    }),
    ONESIGNAL_REST_API_KEY: str({
      default: '',
      minLength: 0,
      secret: true,
      description:
        'OneSignal app REST API key (`Authorization: Key …`); unset: the local simulator’s own key.',
    }),
    TWILIO_API_URL: url(['http:', 'https:'], {
      default: 'http://127.0.0.1:3227',
      description:
        'Twilio REST API SMS are sent through: `https://api.twilio.com`, or the local simulator `npm start` runs (the default).',
    }),
    TWILIO_ACCOUNT_SID: str({
      default: '',
      minLength: 0,
      description: 'Twilio account SID (`AC…`); unset: the local simulator’s account.',
    }),
    TWILIO_AUTH_TOKEN: str({
      default: '',
      minLength: 0,
      secret: true,
      description:
        'Twilio auth token: the API’s Basic auth password and the key status callbacks are signed with; unset: the simulator’s.',
    }),
    TWILIO_FROM: str({
      default: '+15005550006',
      description: 'Twilio phone number (E.164) SMS are sent from.',
    }),
    TWILIO_STATUS_CALLBACK_URL: url(['http:', 'https:'], {
      default: 'http://127.0.0.1:3000/v1/webhooks/twilio',
      description:
        'Public URL of the api’s `POST /v1/webhooks/twilio`, given to Twilio with each SMS; its status callbacks are signed over this exact URL.',
    }),
    WEBHOOKS_TIMEOUT_MS: int({
      default: '15000',
      min: 100,
      max: 60000,
      description: 'How long a partner endpoint has to answer a delivery before the attempt fails.',
    }),
    WEBHOOKS_CONCURRENCY: int({
      default: '8',
      min: 1,
      max: 200,
      description:
        'Deliveries one worker sends at once; each holds a database connection while it waits (keep it below DATABASE_POOL_SIZE).',
    }),
    WEBHOOKS_ALLOW_LOOPBACK: oneOf(['false', 'true'] as const, {
      default: 'false',
      description:
        'Tests and local runs only: let partner endpoints be on 127.0.0.1/::1. Private and link-local addresses stay refused.',
    }),
  },
  read: (v) => ({
    smtpUrl: v.NOTIFICATIONS_SMTP_URL,
    emailFrom: v.NOTIFICATIONS_EMAIL_FROM,
    maxConnectionsPerIp: v.NOTIFICATIONS_MAX_CONNECTIONS_PER_IP,
    oneSignal: {
      apiUrl: v.ONESIGNAL_API_URL,
      appId: v.ONESIGNAL_APP_ID,
      restApiKey: v.ONESIGNAL_REST_API_KEY || ONESIGNAL_SIMULATOR_KEY,
    },
    twilio: {
      apiUrl: v.TWILIO_API_URL,
      accountSid: v.TWILIO_ACCOUNT_SID || TWILIO_SIMULATOR_ACCOUNT_SID,
      authToken: v.TWILIO_AUTH_TOKEN || TWILIO_SIMULATOR_AUTH_TOKEN,
      from: v.TWILIO_FROM,
      statusCallbackUrl: v.TWILIO_STATUS_CALLBACK_URL,
    },
    webhooks: {
      timeoutMs: v.WEBHOOKS_TIMEOUT_MS,
      concurrency: v.WEBHOOKS_CONCURRENCY,
      allowLoopback: v.WEBHOOKS_ALLOW_LOOPBACK === 'true',
    },
  }),
});

/** The config notifications' services inject (APP_CONFIG): the platform's and `notifications`. */
export type NotificationsAppConfig = AppConfig & SectionConfig<typeof NOTIFICATIONS_CONFIG>;
