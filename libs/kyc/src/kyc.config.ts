import { configSection, oneOf, str, type AppConfig, type SectionConfig } from '@bourse/platform';
import { parseTierLimits, type TierLimits } from './kyc.tiers';

/** A key for development and tests only; production refuses to start with it. */
const DEV_PII_KEY = 'ZGV2LW9ubHkta3ljLXBpaS1rZXktMzItYnl0ZXMhISE=';
const DEV_SUMSUB_SECRET = 'dev-only-sumsub-webhook-secret';

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
    limits: { basic: limitsOf(v.KYC_LIMITS_BASIC), full: limitsOf(v.KYC_LIMITS_FULL) },
  }),
  check: (v) => [
    ...(Buffer.from(v.KYC_PII_KEY, 'base64').length === 32
      ? []
      : ['KYC_PII_KEY: must be the base64 of exactly 32 bytes']),
    ...(['KYC_LIMITS_BASIC', 'KYC_LIMITS_FULL'] as const).flatMap((name) => {
      const parsed = parseTierLimits(v[name]);

      return typeof parsed === 'string' ? [`${name}: ${parsed}`] : [];
    }),
  ],
});

/** The config KYC's services inject (APP_CONFIG): the platform's and `kyc`. */
export type KycAppConfig = AppConfig & SectionConfig<typeof KYC_CONFIG>;
