import {
  configSection,
  int,
  list,
  oneOf,
  str,
  url,
  type AppConfig,
  type SectionConfig,
} from '@bourse/platform';
import { parseTierLimits, type TierLimits } from './kyc.tiers';

/** A key for development and tests only; production refuses to start with it. */
const DEV_PII_KEY = 'ZGV2LW9ubHkta3ljLXBpaS1rZXktMzItYnl0ZXMhISE=';
const DEV_SUMSUB_SECRET = 'dev-only-sumsub-webhook-secret';

/** `KYC_PII_OLD_KEYS`: `<keyId>:<base64 key>` items, the keys older records may still name. */
const oldKeysOf = (items: string[]): Map<string, Buffer> =>
  new Map(
    items.map((item) => {
      const at = item.indexOf(':');

      return [item.slice(0, at), Buffer.from(item.slice(at + 1), 'base64')];
    }),
  );

const limitsOf = (text: string): TierLimits => {
  const parsed = parseTierLimits(text);
  if (typeof parsed === 'string') {
    throw new Error(parsed);
  }

  return parsed;
};

/** KYC's variables and settings (`config.kyc`), composed by the apps that load it. */
export const KYC_CONFIG = configSection({
  key: 'kyc',
  vars: {
    KYC_PII_KEY: str({
      default: DEV_PII_KEY,
      requiredInProduction: true,
      secret: true,
      description:
        'AES-256-GCM key (base64 of 32 bytes) encrypting national id numbers and dates of birth.',
    }),
    KYC_PII_KEY_ID: str({
      default: 'dev-1',
      description:
        'Id of KYC_PII_KEY, stored with every ciphertext so a new key can be rolled in and old records re-encrypted.',
    }),
    KYC_SUMSUB_WEBHOOK_SECRET: str({
      default: DEV_SUMSUB_SECRET,
      requiredInProduction: true,
      secret: true,
      description:
        'Secret key of the Sumsub webhook: `X-Payload-Digest` is its HMAC of the raw body.',
    }),
    KYC_SUMSUB_GREEN_TIER: oneOf(['basic', 'full'] as const, {
      default: 'basic',
      description: 'Tier a GREEN review from Sumsub grants.',
    }),
    KYC_VENDOR: oneOf(['sumsub', 'none'] as const, {
      default: 'sumsub',
      description:
        'Identity vendor a submitted case is sent to (through the outbox); `none`: compliance reviews by hand only.',
    }),
    KYC_SUMSUB_API_URL: url(['http:', 'https:'], {
      default: 'http://127.0.0.1:3228',
      description:
        'Base URL of the Sumsub API (https://api.sumsub.com in production; the local simulator by default).',
    }),
    KYC_SUMSUB_APP_TOKEN: str({
      default: 'sbx:dev-only-sumsub-app-token',
      requiredInProduction: true,
      secret: true,
      description: 'Sumsub App Token (`X-App-Token`).',
    }),
    KYC_SUMSUB_SECRET_KEY: str({
      default: 'dev-only-sumsub-secret-key',
      requiredInProduction: true,
      secret: true,
      description:
        'Sumsub secret key: `X-App-Access-Sig` is its HMAC-SHA256 of ts + method + path + body.',
    }),
    KYC_SUMSUB_LEVEL_NAME: str({
      default: 'basic-kyc-level',
      description: 'Sumsub verification level applicants are created at.',
    }),
    KYC_SUMSUB_TIMEOUT_MS: int({
      default: '10000',
      min: 1,
      description: 'Timeout of one call to the Sumsub API.',
    }),
    KYC_PII_OLD_KEYS: list({
      default: '',
      secret: true,
      description:
        'Earlier PII keys still readable, `<keyId>:<base64 key>` comma-separated, until `kyc:reencrypt` moved every record to KYC_PII_KEY_ID.',
    }),
    KYC_RETENTION_DAYS: int({
      default: '1825',
      min: 0,
      description:
        'Days personal data is kept after a case ends (rejected or expired); the erase job then redacts it.',
    }),
    KYC_ERASE_INTERVAL_SECONDS: int({
      default: '3600',
      min: 1,
      description:
        'How often the worker erases the personal data of cases past their retention date.',
    }),
    KYC_LIMITS_BASIC: str({
      default: 'buy=1000000/5000000,sell=1000000/5000000,withdrawal=500000/2000000',
      description:
        'Limits of the `basic` tier in USD cents, daily/monthly per kind: `buy=<daily>/<monthly>,sell=…,withdrawal=…`.',
    }),
    KYC_LIMITS_FULL: str({
      default: 'buy=10000000/100000000,sell=10000000/100000000,withdrawal=5000000/50000000',
      description: 'Limits of the `full` tier, in the format of KYC_LIMITS_BASIC.',
    }),
  },
  read: (v) => ({
    piiKey: Buffer.from(v.KYC_PII_KEY, 'base64'),
    piiKeyId: v.KYC_PII_KEY_ID,
    sumsubWebhookSecret: v.KYC_SUMSUB_WEBHOOK_SECRET,
    sumsubGreenTier: v.KYC_SUMSUB_GREEN_TIER,
    vendor: v.KYC_VENDOR,
    sumsub: {
      apiUrl: v.KYC_SUMSUB_API_URL,
      appToken: v.KYC_SUMSUB_APP_TOKEN,
      secretKey: v.KYC_SUMSUB_SECRET_KEY,
      levelName: v.KYC_SUMSUB_LEVEL_NAME,
      timeoutMs: v.KYC_SUMSUB_TIMEOUT_MS,
    },
    oldPiiKeys: oldKeysOf(v.KYC_PII_OLD_KEYS),
    retentionDays: v.KYC_RETENTION_DAYS,
    eraseIntervalSeconds: v.KYC_ERASE_INTERVAL_SECONDS,
    limits: { basic: limitsOf(v.KYC_LIMITS_BASIC), full: limitsOf(v.KYC_LIMITS_FULL) },
  }),
  check: (v) => [
    ...(Buffer.from(v.KYC_PII_KEY, 'base64').length === 32
      ? []
      : ['KYC_PII_KEY: must be the base64 of exactly 32 bytes']),
    ...v.KYC_PII_OLD_KEYS.flatMap((item) =>
      /^[^:]+:/.test(item) && Buffer.from(item.slice(item.indexOf(':') + 1), 'base64').length === 32
        ? []
        : ['KYC_PII_OLD_KEYS: each item must be <keyId>:<base64 of 32 bytes>'],
    ),
    ...(['KYC_LIMITS_BASIC', 'KYC_LIMITS_FULL'] as const).flatMap((name) => {
      const parsed = parseTierLimits(v[name]);

      return typeof parsed === 'string' ? [`${name}: ${parsed}`] : [];
    }),
  ],
});

/** The config KYC's services inject (APP_CONFIG): the platform's and `kyc`. */
export type KycAppConfig = AppConfig & SectionConfig<typeof KYC_CONFIG>;
