import { rows, type Tx } from '@bourse/platform';
import type { Timeframe } from '@bourse/market-data';
import { Injectable } from '@nestjs/common';
import type { AlertRule, DeliveryChannel, Frequency, Operator, RuleStatus } from './alerts.types';
import type { Fire } from './engine/symbol-evaluator';

interface RuleRow {
  id: string;
  user_id: string;
  symbol: string;
  operator: Operator;
  value: string | null;
  lower: string | null;
  upper: string | null;
  bars: number | null;
  timeframe: Timeframe;
  frequency: Frequency;
  min_interval_seconds: number;
  expires_at: Date | null;
  message: string | null;
  channels: DeliveryChannel[];
  status: RuleStatus;
  revision: number;
  armed_after_seq: string;
  armed_after_ts: string;
  last_fired_key: string | null;
  last_fired_at: string | null;
  fire_count: number;
  created_at: Date;
  updated_at: Date;
}

const toRule = (row: RuleRow): AlertRule => ({
  id: row.id,
  userId: row.user_id,
  symbol: row.symbol,
  operator: row.operator,
  value: row.value ?? undefined,
  lower: row.lower ?? undefined,
  upper: row.upper ?? undefined,
  bars: row.bars ?? undefined,
  timeframe: row.timeframe,
  frequency: row.frequency,
  minIntervalSeconds: row.min_interval_seconds,
  expiresAt: row.expires_at ?? undefined,
  message: row.message ?? undefined,
  channels: row.channels,
  status: row.status,
  revision: row.revision,
  armedAfterSeq: Number(row.armed_after_seq),
  armedAfterTs: Number(row.armed_after_ts),
  lastFiredKey: row.last_fired_key ?? undefined,
  lastFiredAt: row.last_fired_at === null ? undefined : Number(row.last_fired_at),
  fireCount: row.fire_count,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

/** The user-editable part of a rule, as stored. */
export type RuleFields = Pick<
  AlertRule,
  | 'symbol'
  | 'operator'
  | 'value'
  | 'lower'
  | 'upper'
  | 'bars'
  | 'timeframe'
  | 'frequency'
  | 'minIntervalSeconds'
  | 'expiresAt'
  | 'message'
  | 'channels'
  | 'status'
  | 'armedAfterSeq'
  | 'armedAfterTs'
>;

const FIELD_PARAMS = (f: RuleFields): unknown[] => [
  f.symbol,
  f.operator,
  f.value ?? null,
  f.lower ?? null,
  f.upper ?? null,
  f.bars ?? null,
  f.timeframe,
  f.frequency,
  f.minIntervalSeconds,
  f.expiresAt ?? null,
  f.message ?? null,
  f.channels,
  f.status,
  f.armedAfterSeq,
  f.armedAfterTs,
];

/** Alert rules: the owner's CRUD and the evaluators' reads and conditional firing. */
@Injectable()
export class AlertRuleRepository {
  async insert(tx: Tx, id: string, userId: string, fields: RuleFields): Promise<AlertRule> {
    const [row] = await rows<RuleRow>(
      tx,
      `INSERT INTO alert_rules (id, user_id, symbol, operator, value, lower, upper, bars, timeframe,
         frequency, min_interval_seconds, expires_at, message, channels, status, armed_after_seq,
         armed_after_ts)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
       RETURNING *`,
      [id, userId, ...FIELD_PARAMS(fields)],
    );

    return toRule(row!);
  }

  /** Replaces the editable fields and bumps the revision, so no evaluator fires the old copy. */
  async update(tx: Tx, id: string, fields: RuleFields): Promise<AlertRule> {
    const [row] = await rows<RuleRow>(
      tx,
      `UPDATE alert_rules SET symbol = $2, operator = $3, value = $4, lower = $5, upper = $6,
         bars = $7, timeframe = $8, frequency = $9, min_interval_seconds = $10, expires_at = $11,
         message = $12, channels = $13, status = $14, armed_after_seq = $15, armed_after_ts = $16,
         revision = revision + 1, updated_at = now()
       WHERE id = $1 RETURNING *`,
      [id, ...FIELD_PARAMS(fields)],
    );

    return toRule(row!);
  }

  async findOwned(
    tx: Tx,
    userId: string,
    id: string,
    lock = false,
  ): Promise<AlertRule | undefined> {
    const [row] = await rows<RuleRow>(
      tx,
      `SELECT * FROM alert_rules WHERE id = $1 AND user_id = $2${lock ? ' FOR UPDATE' : ''}`,
      [id, userId],
    );

    return row && toRule(row);
  }

  async find(tx: Tx, id: string): Promise<AlertRule | undefined> {
    const [row] = await rows<RuleRow>(tx, `SELECT * FROM alert_rules WHERE id = $1`, [id]);

    return row && toRule(row);
  }

  async deleteOwned(tx: Tx, userId: string, id: string): Promise<AlertRule | undefined> {
    const [row] = await rows<RuleRow>(
      tx,
      `DELETE FROM alert_rules WHERE id = $1 AND user_id = $2 RETURNING *`,
      [id, userId],
    );

    return row && toRule(row);
  }

  /** Oldest first, keyset pages on (created_at, id). */
  async listOwned(
    tx: Tx,
    userId: string,
    page: { cursor?: string; limit: number },
  ): Promise<AlertRule[]> {
    const found = await rows<RuleRow>(
      tx,
      `SELECT * FROM alert_rules r WHERE r.user_id = $1
         AND ($2::uuid IS NULL OR (r.created_at, r.id) >
              (SELECT created_at, id FROM alert_rules WHERE id = $2::uuid AND user_id = $1))
       ORDER BY r.created_at, r.id LIMIT $3`,
      [userId, page.cursor ?? null, page.limit + 1],
    );

    return found.map(toRule);
  }

  /** Serialises a user's quota checks: two creations at once cannot both take the last slot. */
  async lockQuota(tx: Tx, userId: string): Promise<number> {
    await rows(tx, `SELECT pg_advisory_xact_lock(hashtext('alerts:quota:' || $1))`, [userId]);
    const [row] = await rows<{ count: string }>(
      tx,
      `SELECT count(*) FROM alert_rules WHERE user_id = $1 AND status = 'active'`,
      [userId],
    );

    return Number(row!.count);
  }

  async activeForSymbols(tx: Tx, symbols: string[]): Promise<AlertRule[]> {
    const found = await rows<RuleRow>(
      tx,
      `SELECT * FROM alert_rules WHERE status = 'active' AND symbol = ANY ($1)`,
      [symbols],
    );

    return found.map(toRule);
  }

  async activeSymbols(tx: Tx): Promise<string[]> {
    const found = await rows<{ symbol: string }>(
      tx,
      `SELECT DISTINCT symbol FROM alert_rules WHERE status = 'active'`,
    );

    return found.map((row) => row.symbol);
  }

  /**
   * Fires a rule unless another evaluator did (or its owner changed it) first: the row lock
   * makes a racing update wait and then find the trigger key already taken. False: not fired.
   */
  async fire(tx: Tx, fire: Fire): Promise<boolean> {
    const found = await rows(
      tx,
      `UPDATE alert_rules SET last_fired_key = $2, last_fired_at = $3, fire_count = fire_count + 1,
         status = CASE WHEN frequency = 'only_once' THEN 'fired' ELSE status END
       WHERE id = $1 AND revision = $4 AND status = 'active'
         AND (expires_at IS NULL OR expires_at > to_timestamp($3 / 1000.0))
         AND last_fired_key IS DISTINCT FROM $2
         AND (frequency <> 'every_time' OR last_fired_at IS NULL
              OR $3 - last_fired_at >= min_interval_seconds * 1000)
       RETURNING id`,
      [fire.rule.id, fire.triggerKey, fire.ts, fire.rule.revision],
    );

    return found.length === 1;
  }

  async expire(tx: Tx, ids: string[]): Promise<void> {
    if (ids.length > 0) {
      await rows(
        tx,
        `UPDATE alert_rules SET status = 'expired', updated_at = now()
         WHERE id = ANY ($1) AND status = 'active'`,
        [ids],
      );
    }
  }

  /** The sweeper: active rules past their expiry. Returns what it expired. */
  async expireDue(tx: Tx, now: Date): Promise<{ id: string; symbol: string }[]> {
    return rows(
      tx,
      `UPDATE alert_rules SET status = 'expired', updated_at = now()
       WHERE status = 'active' AND expires_at <= $1 RETURNING id, symbol`,
      [now],
    );
  }
}
