/**
 * Redis names of alerts. Keys are relative to REDIS_KEY_PREFIX (ioredis adds it); channels are
 * not prefixed by ioredis, so they take the prefix here.
 */
export const AlertsKeys = {
  lease: (partition: number): string => `alerts:lease:${partition}`,
  fence: (partition: number): string => `alerts:fence:${partition}`,
} as const;

export const AlertsChannels = {
  /** Fired events (`LiveEventMessage`), for the api nodes' `/alerts` sessions and SSE streams. */
  events: (prefix: string): string => `${prefix}:alerts:events`,
  /** Rules created, edited or deleted (`RuleChangeMessage`), for the evaluators. */
  rules: (prefix: string): string => `${prefix}:alerts:rules`,
} as const;

export interface RuleChangeMessage {
  ruleId: string;
  symbol: string;
}
