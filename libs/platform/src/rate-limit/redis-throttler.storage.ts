import { ThrottlerStorageService, type ThrottlerStorage } from '@nestjs/throttler';
import type Redis from 'ioredis';

/**
 * A fixed window per key (`hits`, expiring `ttl` ms after its first hit) and, once the limit is
 * passed, a `blocked` key living `blockDuration` ms. As in throttler v6's own storage, blocked
 * requests are not counted and counting starts afresh when the block ends; the block key keeps
 * the hit count that caused it for the reply. One script, so replicas never interleave between
 * INCR and PEXPIRE. Replies [totalHits, timeToExpire ms, isBlocked 0|1, timeToBlockExpire ms].
 */
const INCREMENT_SCRIPT = `
local hits, blocked = KEYS[1], KEYS[2]
local ttl, limit, blockDuration = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])

local blockLeft = redis.call('PTTL', blocked)
if blockLeft > 0 then
  return { tonumber(redis.call('GET', blocked)), blockLeft, 1, blockLeft }
end

local total = redis.call('INCR', hits)
local expire = redis.call('PTTL', hits)
if expire < 0 then
  redis.call('PEXPIRE', hits, ttl)
  expire = ttl
end
if total <= limit then
  return { total, expire, 0, 0 }
end
if blockDuration <= 0 then
  return { total, expire, 1, expire }
end
redis.call('SET', blocked, total, 'PX', blockDuration)
redis.call('DEL', hits)
return { total, blockDuration, 1, blockDuration }
`;

// Not re-exported by the package's index.
type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;
type IncrementReply = [number, number, number, number];

interface ThrottlerRedis extends Redis {
  throttlerIncrement(
    hitsKey: string,
    blockedKey: string,
    ttl: number,
    limit: number,
    blockDuration: number,
  ): Promise<IncrementReply>;
}

/**
 * Rate-limit counters in Redis, so a limit holds across every api replica. While Redis is away
 * (its connection failed or closed and is not back) each process counts on its own: limits
 * loosen by the number of replicas, but requests neither wait for Redis nor fail because of it.
 * The client logs the outage once (redis.module.ts).
 */
export class RedisThrottlerStorage implements ThrottlerStorage {
  private readonly redis: ThrottlerRedis;
  private readonly local = new ThrottlerStorageService();
  // Not the client's status: it is 'connecting' at boot too, when commands should just queue.
  private away = false;

  constructor(redis: Redis) {
    // EVALSHA with a fallback to EVAL; ioredis applies the client's key prefix to KEYS.
    redis.defineCommand('throttlerIncrement', { numberOfKeys: 2, lua: INCREMENT_SCRIPT });
    this.redis = redis as ThrottlerRedis;
    redis.on('close', () => (this.away = true));
    redis.on('ready', () => (this.away = false));
  }

  /** `ttl` and `blockDuration` are in ms; the record's times are in whole seconds, as the guard expects. */
  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<ThrottlerStorageRecord> {
    if (this.away) {
      return this.local.increment(key, ttl, limit, blockDuration, throttlerName);
    }
    // The hash tag keeps both keys in one cluster slot, as a script touching both requires.
    const base = `throttle:${throttlerName}:{${key}}`;
    let reply: IncrementReply;
    try {
      reply = await this.redis.throttlerIncrement(
        `${base}:hits`,
        `${base}:blocked`,
        ttl,
        limit,
        blockDuration,
      );
    } catch (error) {
      if (!this.away) {
        throw error;
      }

      return this.local.increment(key, ttl, limit, blockDuration, throttlerName);
    }
    const [totalHits, expireMs, blocked, blockMs] = reply;

    return {
      totalHits,
      timeToExpire: Math.ceil(expireMs / 1000),
      isBlocked: blocked === 1,
      timeToBlockExpire: Math.ceil(blockMs / 1000),
    };
  }
}
