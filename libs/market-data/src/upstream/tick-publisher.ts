import type Redis from 'ioredis';
import { MarketChannels, MarketKeys } from '../market.keys';
import { findSymbol } from '../symbols';
import type { Quote, Tick } from '../tick';
import { normalizePrice } from './price.normalize';
import { luaScript } from './redis-script';

/**
 * Why a quote did not become a tick: `fenced` (the lease is no longer held with this token, so
 * the caller must stop), `stale` (older than the symbol's last tick), `duplicate` (same price
 * and ts as the last tick), `invalid` (unknown symbol, bad price or ts).
 */
export type DropReason = 'fenced' | 'stale' | 'duplicate' | 'invalid';

export type PublishResult = { outcome: 'published'; tick: Tick } | { outcome: DropReason };

// Fence check, dedupe, sequence, last price and fan-out in one atomic step: nothing can run
// between the lease check and the PUBLISH, so a leader whose lease expired while it was paused
// never gets a tick out, and seq is assigned in the order ticks are stored. The keys span
// several slots: on a Redis Cluster they would need one hash tag; Bourse runs a single Redis.
// KEYS: lease, last-price hash, symbol's seq. ARGV: token, symbol, price, ts, channel.
const PUBLISH = `
local lease = redis.call('GET', KEYS[1])
if not lease or string.match(lease, ':(%d+)$') ~= ARGV[1] then
  return {'fenced'}
end
local ts = tonumber(ARGV[4])
local last = redis.call('HGET', KEYS[2], ARGV[2])
if last then
  local previous = cjson.decode(last)
  if ts < previous.ts then
    return {'stale'}
  end
  if ts == previous.ts and ARGV[3] == previous.price then
    return {'duplicate'}
  end
end
local seq = redis.call('INCR', KEYS[3])
local tick = '{"symbol":"' .. ARGV[2] .. '","price":"' .. ARGV[3] .. '","ts":' .. ARGV[4] .. ',"seq":' .. seq .. '}'
redis.call('HSET', KEYS[2], ARGV[2], tick)
redis.call('PUBLISH', ARGV[5], tick)
return {'published', tick}`;

/** How far ahead of our clock a provider's timestamp may be (its clock, network jitter). */
const MAX_CLOCK_SKEW_MS = 30_000;

/**
 * Turns a provider's quote into a sequenced tick: stored as the symbol's last price and published
 * to the api nodes, only while `fencingToken` is the provider's current lease.
 */
export class TickPublisher {
  private readonly leaseKey: string;
  private readonly channel: string;
  private readonly script;

  /** `keyPrefix` is the platform's REDIS_KEY_PREFIX: ioredis prefixes keys, not channels. */
  constructor(redis: Redis, provider: string, keyPrefix: string) {
    this.leaseKey = MarketKeys.lease(provider);
    this.channel = MarketChannels.ticks(keyPrefix);
    this.script = luaScript(redis, 'bourseTickPublish', 3, PUBLISH);
  }

  async publish(quote: Quote, fencingToken: number): Promise<PublishResult> {
    const spec = findSymbol(quote.symbol);
    const price = spec && normalizePrice(quote.price, spec.scale);
    // Integral epoch ms only: the script compares ts as a Lua number and writes it verbatim. A ts
    // from the future would make every later quote of the symbol `stale` until the clock got there.
    if (
      !price ||
      !Number.isSafeInteger(quote.ts) ||
      quote.ts < 0 ||
      quote.ts > Date.now() + MAX_CLOCK_SKEW_MS
    ) {
      return { outcome: 'invalid' };
    }
    const [outcome, tick] = (await this.script(
      this.leaseKey,
      MarketKeys.lastPrices,
      MarketKeys.seq(quote.symbol),
      String(fencingToken),
      quote.symbol,
      price,
      String(quote.ts),
      this.channel,
    )) as [DropReason] | ['published', string];

    return outcome === 'published' ? { outcome, tick: JSON.parse(tick!) as Tick } : { outcome };
  }
}
