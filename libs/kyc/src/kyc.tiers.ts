/** What a user may do, from nothing to everything; an approval grants one. */
export const KYC_TIERS = ['none', 'basic', 'full'] as const;
export type KycTier = (typeof KYC_TIERS)[number];

export const LIMIT_KINDS = ['buy', 'sell', 'withdrawal'] as const;
export type LimitKind = (typeof LIMIT_KINDS)[number];

/** Cash minor units per day and per calendar month (UTC). */
export interface PeriodLimits {
  daily: bigint;
  monthly: bigint;
}
export type TierLimits = Record<LimitKind, PeriodLimits>;

export const tierRank = (tier: KycTier): number => KYC_TIERS.indexOf(tier);

const LIMITS_PATTERN = /^(buy|sell|withdrawal)=(\d{1,18})\/(\d{1,18})$/;

/**
 * `buy=100000/1000000,sell=…,withdrawal=…`: per kind, the daily and the monthly limit in cents.
 * Returns the limits, or the problem with the text.
 */
export function parseTierLimits(text: string): TierLimits | string {
  const found: Partial<TierLimits> = {};
  for (const part of text.split(',')) {
    const match = LIMITS_PATTERN.exec(part.trim());
    if (!match) {
      return `"${part}" is not <buy|sell|withdrawal>=<daily>/<monthly>`;
    }
    const [, kind, daily, monthly] = match as unknown as [string, LimitKind, string, string];
    if (BigInt(daily) > BigInt(monthly)) {
      return `${kind}: the daily limit exceeds the monthly one`;
    }
    found[kind] = { daily: BigInt(daily), monthly: BigInt(monthly) };
  }
  const missing = LIMIT_KINDS.filter((k) => !found[k]);

  return missing.length ? `missing ${missing.join(', ')}` : (found as TierLimits);
}
