import type { Timeframe } from '@bourse/market-data';

/** Price conditions, as TradingView names them. */
export const OPERATORS = [
  'crossing',
  'crossing_up',
  'crossing_down',
  'greater_than',
  'less_than',
  'entering_channel',
  'exiting_channel',
  'inside_channel',
  'outside_channel',
  'moving_up_pct',
  'moving_down_pct',
] as const;
export type Operator = (typeof OPERATORS)[number];

/** Operators compared with the previous sample: they need one taken after the rule was armed. */
export const CROSSING_OPERATORS: readonly Operator[] = [
  'crossing',
  'crossing_up',
  'crossing_down',
  'entering_channel',
  'exiting_channel',
];
export const LEVEL_OPERATORS: readonly Operator[] = [
  'crossing',
  'crossing_up',
  'crossing_down',
  'greater_than',
  'less_than',
];
export const CHANNEL_OPERATORS: readonly Operator[] = [
  'entering_channel',
  'exiting_channel',
  'inside_channel',
  'outside_channel',
];
export const MOVING_OPERATORS: readonly Operator[] = ['moving_up_pct', 'moving_down_pct'];

/** How often a rule may fire: once; once per bar (as soon as true, or at the bar's close); every time. */
export const FREQUENCIES = [
  'only_once',
  'once_per_bar',
  'once_per_bar_close',
  'every_time',
] as const;
export type Frequency = (typeof FREQUENCIES)[number];

/**
 * Where a firing reaches its user besides the in-app stream (`/alerts`, SSE, REST), which every
 * firing reaches: libs/notifications' push and e-mail, and the user's webhook endpoints.
 */
export const DELIVERY_CHANNELS = ['push', 'email', 'webhook'] as const;
export type DeliveryChannel = (typeof DELIVERY_CHANNELS)[number];

/** `fired`: an `only_once` rule that fired; `expired`: past its expiry; `paused` by its owner. */
export const RULE_STATUSES = ['active', 'paused', 'fired', 'expired'] as const;
export type RuleStatus = (typeof RULE_STATUSES)[number];

export interface AlertRule {
  id: string;
  userId: string;
  symbol: string;
  operator: Operator;
  /** The level (crossing, greater/less than) or the percent (moving). Decimal text. */
  value?: string;
  lower?: string;
  upper?: string;
  /** Moving operators: the change is measured against the close `bars` bars ago. */
  bars?: number;
  timeframe: Timeframe;
  frequency: Frequency;
  minIntervalSeconds: number;
  expiresAt?: Date;
  message?: string;
  channels: DeliveryChannel[];
  status: RuleStatus;
  /** Bumped by every edit of its owner: a firing must be judged on the current revision. */
  revision: number;
  /** The symbol's last evaluated tick when the rule was armed (created or its condition changed). */
  armedAfterSeq: number;
  armedAfterTs: number;
  lastFiredKey?: string;
  /** Tick time (epoch ms) of the last firing. */
  lastFiredAt?: number;
  fireCount: number;
  createdAt: Date;
  updatedAt: Date;
}

/** One firing, as stored and streamed: `seq` orders a user's events without gaps. */
export interface AlertEvent {
  id: string;
  userId: string;
  seq: number;
  ruleId: string;
  symbol: string;
  operator: Operator;
  price: string;
  tickSeq: number;
  /** When the condition became true: the tick's time, or the end of the bar that closed. */
  tickTs: number;
  message?: string;
  firedAt: Date;
}

/** A tick as the evaluator takes it (the shape of market-data's `Tick`). */
export interface PriceSample {
  symbol: string;
  price: string;
  ts: number;
  seq: number;
}
