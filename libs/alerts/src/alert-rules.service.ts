import {
  APP_CONFIG,
  Database,
  IdempotencyService,
  IdempotentResponse,
  newId,
  pageOf,
  REDIS,
  type IdempotentRequest,
  type Tx,
} from '@bourse/platform';
import { MarketKeys, type Tick } from '@bourse/market-data';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { AlertRuleRepository, type RuleFields } from './alert-rule.repository';
import { AlertStreamRepository } from './alert-stream.repository';
import type { AlertsAppConfig } from './alerts.config';
import {
  AlertExpiryPastError,
  AlertNotFoundError,
  AlertQuotaExceededError,
  InvalidAlertError,
} from './alerts.errors';
import { AlertsChannels, type RuleChangeMessage } from './alerts.keys';
import {
  CHANNEL_OPERATORS,
  LEVEL_OPERATORS,
  MOVING_OPERATORS,
  type AlertRule,
} from './alerts.types';
import { toUnits } from './decimal';
import {
  toAlertDto,
  type AlertConditionDto,
  type AlertDto,
  type AlertPageDto,
  type AlertQueryDto,
  type CreateAlertDto,
  type UpdateAlertDto,
} from './dto/alert-rule.dto';

const DEFAULT_MIN_INTERVAL_SECONDS = 60;

/**
 * A user's alert rules. Each change is told to the evaluators over Redis after it commits; a
 * rule (re)armed now needs a tick after the symbol's last evaluated one before a crossing counts.
 */
@Injectable()
export class AlertRulesService {
  private readonly logger = new Logger(AlertRulesService.name);
  private readonly rulesChannel: string;

  constructor(
    private readonly db: Database,
    private readonly idempotency: IdempotencyService,
    private readonly rules: AlertRuleRepository,
    private readonly streams: AlertStreamRepository,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AlertsAppConfig,
  ) {
    this.rulesChannel = AlertsChannels.rules(config.redis.keyPrefix);
  }

  /** Idempotent with a key: a replay answers the stored alert and creates none. */
  async create(
    userId: string,
    body: CreateAlertDto,
    call?: IdempotentRequest,
  ): Promise<AlertDto | IdempotentResponse<AlertDto>> {
    const created = await this.idempotency.transaction(call, async (tx) => {
      await this.checkQuota(tx, userId);
      const fields = this.validated({
        symbol: body.symbol,
        operator: body.operator,
        ...this.conditionOf(body),
        status: 'active',
        ...(await this.arming(tx, body.symbol)),
      });

      return toAlertDto(await this.rules.insert(tx, newId(), userId, fields));
    });
    const dto = created instanceof IdempotentResponse ? created.value : created;
    if (dto) {
      await this.announce(dto);
    }

    return created;
  }

  async list(userId: string, query: AlertQueryDto): Promise<AlertPageDto> {
    const page = pageOf(query);
    const found = await this.rules.listOwned(this.db.manager, userId, page);
    const shown = found.slice(0, page.limit);

    return {
      alerts: shown.map(toAlertDto),
      nextCursor: found.length > page.limit ? shown.at(-1)!.id : undefined,
    };
  }

  async get(userId: string, id: string): Promise<AlertDto> {
    return toAlertDto(await this.owned(this.db.manager, userId, id));
  }

  /** Changes the given fields; a changed condition or a re-activation re-arms the rule. */
  async update(userId: string, id: string, body: UpdateAlertDto): Promise<AlertDto> {
    const rule = await this.db.transaction(undefined, async (tx) => {
      const current = await this.owned(tx, userId, id, true);
      const activating = body.active === true && current.status !== 'active';
      if (activating) {
        await this.checkQuota(tx, userId);
      }
      const condition = { ...this.conditionOf(current), ...this.given(body) };
      const status = body.active === false ? 'paused' : body.active ? 'active' : current.status;
      const fields = this.validated({
        symbol: current.symbol,
        operator: current.operator,
        ...condition,
        status,
        ...(activating || this.conditionChanged(current, condition)
          ? await this.arming(tx, current.symbol)
          : { armedAfterSeq: current.armedAfterSeq, armedAfterTs: current.armedAfterTs }),
      });

      return this.rules.update(tx, id, fields);
    });
    await this.announce(rule);

    return toAlertDto(rule);
  }

  async remove(userId: string, id: string): Promise<void> {
    const rule = await this.rules.deleteOwned(this.db.manager, userId, id);
    if (!rule) {
      throw new AlertNotFoundError(id);
    }
    await this.announce(rule);
  }

  private async owned(tx: Tx, userId: string, id: string, lock = false): Promise<AlertRule> {
    const rule = await this.rules.findOwned(tx, userId, id, lock);
    if (!rule) {
      throw new AlertNotFoundError(id);
    }

    return rule;
  }

  private async checkQuota(tx: Tx, userId: string): Promise<void> {
    const limit = this.config.alerts.maxActivePerUser;
    if ((await this.rules.lockQuota(tx, userId)) >= limit) {
      throw new AlertQuotaExceededError(limit);
    }
  }

  /**
   * The symbol's newest tick now, published (market-data's last price) or stored by an evaluator,
   * whichever is later: crossings need a sample after it.
   */
  private async arming(
    tx: Tx,
    symbol: string,
  ): Promise<Pick<RuleFields, 'armedAfterSeq' | 'armedAfterTs'>> {
    const [state, published] = await Promise.all([
      this.streams.symbolState(tx, symbol),
      this.redis.hget(MarketKeys.lastPrices, symbol).catch(() => null),
    ]);
    const tick = published ? (JSON.parse(published) as Partial<Tick>) : undefined;

    return {
      armedAfterSeq: Math.max(state?.lastSeq ?? 0, Number(tick?.seq ?? 0)),
      armedAfterTs: Math.max(state?.lastTs ?? 0, Number(tick?.ts ?? 0)),
    };
  }

  private conditionOf(source: AlertConditionDto | AlertRule): ConditionFields {
    return {
      value: source.value,
      lower: source.lower,
      upper: source.upper,
      bars: source.bars,
      timeframe: source.timeframe ?? '1m',
      frequency: source.frequency ?? 'only_once',
      minIntervalSeconds: source.minIntervalSeconds ?? DEFAULT_MIN_INTERVAL_SECONDS,
      expiresAt: source.expiresAt ?? undefined,
      message: source.message,
      channels: source.channels ?? [],
    };
  }

  /** The fields a PATCH body sets (`expiresAt: null` clears the expiry). */
  private given(body: UpdateAlertDto): Partial<ConditionFields> {
    const set: Partial<ConditionFields> = {};
    for (const key of CONDITION_KEYS) {
      if (body[key] !== undefined) {
        Object.assign(set, { [key]: body[key] ?? undefined });
      }
    }

    return set;
  }

  private conditionChanged(rule: AlertRule, next: ConditionFields): boolean {
    return (['value', 'lower', 'upper', 'bars', 'timeframe', 'frequency'] as const).some(
      (key) => rule[key] !== next[key],
    );
  }

  /** Checks the fields the operator needs and drops those it does not use. */
  private validated(fields: RuleFields): RuleFields {
    const { operator } = fields;
    const need = (field: 'value' | 'lower' | 'upper' | 'bars'): void => {
      if (fields[field] === undefined) {
        throw new InvalidAlertError(`${operator} needs ${field}`, field);
      }
    };
    const uses = {
      value: LEVEL_OPERATORS.includes(operator) || MOVING_OPERATORS.includes(operator),
      bounds: CHANNEL_OPERATORS.includes(operator),
      bars: MOVING_OPERATORS.includes(operator),
    };
    if (uses.value) {
      need('value');
    }
    if (uses.bounds) {
      need('lower');
      need('upper');
      if (toUnits(fields.lower!) >= toUnits(fields.upper!)) {
        throw new InvalidAlertError('upper must be above lower', 'upper');
      }
    }
    if (uses.bars) {
      need('bars');
      if (fields.bars! > this.config.alerts.maxBars) {
        throw new InvalidAlertError(`bars may be at most ${this.config.alerts.maxBars}`, 'bars');
      }
      if (toUnits(fields.value!) === 0n) {
        throw new InvalidAlertError('the percent must be above 0', 'value');
      }
    }
    if (
      fields.expiresAt &&
      fields.expiresAt.getTime() <= Date.now() &&
      fields.status === 'active'
    ) {
      throw new AlertExpiryPastError();
    }

    return {
      ...fields,
      value: uses.value ? fields.value : undefined,
      lower: uses.bounds ? fields.lower : undefined,
      upper: uses.bounds ? fields.upper : undefined,
      bars: uses.bars ? fields.bars : undefined,
      minIntervalSeconds: fields.frequency === 'every_time' ? fields.minIntervalSeconds : 0,
    };
  }

  /** Best effort: an evaluator that misses it picks the change up at its next refresh. */
  private async announce(rule: Pick<AlertRule, 'id' | 'symbol'>): Promise<void> {
    const message: RuleChangeMessage = { ruleId: rule.id, symbol: rule.symbol };
    await this.redis
      .publish(this.rulesChannel, JSON.stringify(message))
      .catch((error: unknown) =>
        this.logger.warn({ msg: 'alert change not announced', ruleId: rule.id, err: error }),
      );
  }
}

type ConditionFields = Omit<
  RuleFields,
  'symbol' | 'operator' | 'status' | 'armedAfterSeq' | 'armedAfterTs'
>;

const CONDITION_KEYS = [
  'value',
  'lower',
  'upper',
  'bars',
  'timeframe',
  'frequency',
  'minIntervalSeconds',
  'expiresAt',
  'message',
  'channels',
] as const;
