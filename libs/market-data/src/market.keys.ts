/**
 * Redis names shared by the worker (writer) and the api nodes (readers). Keys are relative to the
 * platform's REDIS_KEY_PREFIX, which the ioredis client adds to every key; pub/sub channel names
 * are NOT prefixed by ioredis, so `channel()` adds the prefix itself.
 */
export const MarketKeys = {
  /** Hash symbol -> JSON Tick: the last price of every symbol. */
  lastPrices: 'market:last',
  /** Per-symbol sequence counter (INCR), monotonic across leader changes. */
  seq: (symbol: string): string => `market:seq:${symbol}`,
  /** Leader lease of a provider: value `<ownerId>:<fencingToken>`, with an expiry. */
  lease: (provider: string): string => `market:lease:${provider}`,
  /** Fencing token counter of a provider's lease (INCR on every acquisition). */
  fence: (provider: string): string => `market:fence:${provider}`,
} as const;

/** Pub/sub channels (prefixed here, since ioredis does not prefix channels). */
export const MarketChannels = {
  ticks: (prefix: string): string => `${prefix}:market:ticks`,
  candles: (prefix: string): string => `${prefix}:market:candles`,
} as const;
