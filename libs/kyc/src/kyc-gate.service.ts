import { APP_CONFIG, Database, type Tx } from '@bourse/platform';
import { Inject, Injectable } from '@nestjs/common';
import type { KycAppConfig } from './kyc.config';
import { KycLimitExceededError, KycRequiredError } from './kyc.errors';
import { KycRepository } from './kyc.repository';
import { tierRank, type KycTier, type LimitKind, type PeriodLimits } from './kyc.tiers';

const NO_LIMITS: PeriodLimits = { daily: 0n, monthly: 0n };

/**
 * The check any lib runs before moving money for a user: the tier it needs, and room for the
 * amount in the tier's daily and monthly limits. `check` only reads (a quote); `consume` records
 * the use in the caller's transaction (an order), so a rolled-back order uses nothing.
 */
@Injectable()
export class KycGate {
  constructor(
    @Inject(APP_CONFIG) private readonly config: KycAppConfig,
    private readonly db: Database,
    private readonly repo: KycRepository,
  ) {}

  tierOf(userId: string, outer?: Tx): Promise<KycTier> {
    return this.repo.tierOf(outer ?? this.db.manager, userId);
  }

  limitsOf(tier: KycTier, kind: LimitKind): PeriodLimits {
    return tier === 'none' ? NO_LIMITS : this.config.kyc.limits[tier][kind];
  }

  /** What is left today and this month for `kind`. */
  async remaining(
    userId: string,
    kind: LimitKind,
    outer?: Tx,
  ): Promise<{ tier: KycTier; daily: bigint; monthly: bigint }> {
    const tx = outer ?? this.db.manager;
    const tier = await this.repo.tierOf(tx, userId);
    const limits = this.limitsOf(tier, kind);
    const used = await this.repo.usage(tx, userId, kind);

    return {
      tier,
      daily: max0(limits.daily - used.daily),
      monthly: max0(limits.monthly - used.monthly),
    };
  }

  /** 403 `kyc.required` below `required`, 422 `kyc.limit_exceeded` without room for `amount`. */
  async check(
    userId: string,
    required: KycTier,
    kind: LimitKind,
    amount: bigint,
    outer?: Tx,
  ): Promise<void> {
    const tx = outer ?? this.db.manager;
    const tier = await this.requireTier(tx, userId, required);
    this.assertRoom(tier, kind, amount, await this.repo.usage(tx, userId, kind), 0n);
  }

  /** `check`, and the amount counted against the limits in the caller's transaction. */
  async consume(
    tx: Tx,
    userId: string,
    required: KycTier,
    kind: LimitKind,
    amount: bigint,
  ): Promise<void> {
    const tier = await this.requireTier(tx, userId, required);
    this.assertRoom(tier, kind, amount, await this.repo.addUsage(tx, userId, kind, amount), amount);
  }

  private async requireTier(tx: Tx, userId: string, required: KycTier): Promise<KycTier> {
    const tier = await this.repo.tierOf(tx, userId);
    if (tierRank(tier) < tierRank(required)) {
      throw new KycRequiredError(required, tier);
    }

    return tier;
  }

  /** `used` may already include `amount` (`counted`): the room is judged before it. */
  private assertRoom(
    tier: KycTier,
    kind: LimitKind,
    amount: bigint,
    used: { daily: bigint; monthly: bigint },
    counted: bigint,
  ): void {
    const limits = this.limitsOf(tier, kind);
    for (const period of ['daily', 'monthly'] as const) {
      const room = max0(limits[period] - (used[period] - counted));
      if (amount > room) {
        throw new KycLimitExceededError(tier, kind, period, limits[period], room);
      }
    }
  }
}

const max0 = (n: bigint): bigint => (n > 0n ? n : 0n);
