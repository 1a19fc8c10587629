import { Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { MarketKeys } from '../market.keys';
import { luaScript } from './redis-script';

// The fence counter is only incremented when the lease is free, so tokens are not burned by
// followers polling a held lease. Both keys must live in one slot on a Redis Cluster (a hash
// tag in MarketKeys); Bourse runs a single Redis, where any keys may share a script.
const ACQUIRE = `
if redis.call('EXISTS', KEYS[1]) == 1 then
  return false
end
local token = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], ARGV[1] .. ':' .. token, 'NX', 'PX', ARGV[2])
return token`;

// Extends or deletes the lease only while it still holds our value: after an expiry another
// replica's lease sits under the same key, and a plain PEXPIRE/DEL would extend or end it.
const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0`;

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`;

/** Timers the lease loop runs on; a test passes pausable ones to freeze a leader mid-flight. */
export interface LeaseTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const REAL_TIMERS: LeaseTimers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Why leadership ended: lease gone or taken, renewal failed or timed out, or given up. */
export type LeaseLossReason = 'lost' | 'error' | 'stepped-down' | 'stopped';

export interface LeaseHandlers {
  /** Called without waiting for it: the loop keeps renewing while the provider starts. */
  onAcquired(token: number): void;
  /** Awaited before the lease is released, so the provider is down before a follower starts. */
  onLost(token: number, reason: LeaseLossReason): void | Promise<void>;
}

/** Where a lease and its fencing counter live (both in one slot on a Redis Cluster). */
export interface LeaseKeys {
  lease: string;
  fence: string;
}

export interface LeaderLeaseOptions {
  /** What the lease is for: a provider's upstream, or any other single-owner work (in logs). */
  provider: string;
  /** Defaults to the provider's keys in MarketKeys; other owners (e.g. alert partitions) name theirs. */
  keys?: LeaseKeys;
  /** Unique per process; the lease value is `${ownerId}:${fencingToken}`. */
  ownerId: string;
  ttlMs: number;
  timers?: LeaseTimers;
}

/**
 * Leader election for one provider (or any named piece of work, given its own `keys`) over a Redis lease with expiry. Every ttl/3 the leader renews
 * and a follower tries to acquire, so a crashed leader is replaced within ttl + ttl/3. Each
 * acquisition takes a new fencing token (strictly increasing), which the tick publisher checks
 * atomically: a leader paused past its expiry cannot publish once it wakes up.
 */
export class LeaderLease {
  readonly key: string;
  private readonly fenceKey: string;
  private readonly intervalMs: number;
  private readonly timers: LeaseTimers;
  private readonly logger = new Logger('LeaderLease');
  private readonly acquireScript;
  private readonly renewScript;
  private readonly releaseScript;
  private handlers?: LeaseHandlers;
  private held?: number;
  private timer?: unknown;
  private running?: Promise<void>;
  private stopped = true;

  constructor(
    private readonly redis: Redis,
    private readonly options: LeaderLeaseOptions,
  ) {
    this.key = options.keys?.lease ?? MarketKeys.lease(options.provider);
    this.fenceKey = options.keys?.fence ?? MarketKeys.fence(options.provider);
    this.intervalMs = Math.max(1, Math.floor(options.ttlMs / 3));
    this.timers = options.timers ?? REAL_TIMERS;
    this.acquireScript = luaScript(redis, 'bourseLeaseAcquire', 2, ACQUIRE);
    this.renewScript = luaScript(redis, 'bourseLeaseRenew', 1, RENEW);
    this.releaseScript = luaScript(redis, 'bourseLeaseRelease', 1, RELEASE);
  }

  /** The fencing token while this process leads. */
  get token(): number | undefined {
    return this.held;
  }

  /** Starts the loop: try to acquire now, then renew or retry every ttl/3. */
  start(handlers: LeaseHandlers): void {
    this.handlers = handlers;
    this.stopped = false;
    this.loop();
  }

  /** Stops the loop and releases the lease if held, so a follower takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.timers.clearTimeout(this.timer);
    await this.running;
    if (this.held !== undefined) {
      await this.end(this.held, 'stopped');
    }
  }

  /** Gives up leadership (the provider failed or was fenced); the loop keeps following. */
  async stepDown(token: number): Promise<void> {
    await this.end(token, 'stepped-down');
  }

  /** One acquisition attempt: the new fencing token, or undefined while another holds it. */
  async tryAcquire(): Promise<number | undefined> {
    const token = await this.acquireScript(
      this.key,
      this.fenceKey,
      this.options.ownerId,
      this.options.ttlMs,
    );
    if (token === null) {
      return undefined;
    }
    this.held = Number(token);

    return this.held;
  }

  /** Extends the lease by a full ttl; false when it is no longer ours. */
  async renew(token: number): Promise<boolean> {
    return (await this.renewScript(this.key, this.value(token), this.options.ttlMs)) === 1;
  }

  /** Deletes the lease if it is still ours. */
  async release(token: number): Promise<boolean> {
    return (await this.releaseScript(this.key, this.value(token))) === 1;
  }

  private value(token: number): string {
    return `${this.options.ownerId}:${token}`;
  }

  private loop(): void {
    this.running = this.step().finally(() => {
      this.running = undefined;
      if (!this.stopped) {
        this.timer = this.timers.setTimeout(() => this.loop(), this.intervalMs);
      }
    });
  }

  private async step(): Promise<void> {
    const token = this.held;
    if (token === undefined) {
      try {
        const acquired = await this.tryAcquire();
        // When stopped meanwhile, stop() releases it without ever starting the provider.
        if (acquired !== undefined && !this.stopped) {
          this.handlers?.onAcquired(acquired);
        }
      } catch (error) {
        this.logger.warn({
          msg: 'lease not acquired',
          provider: this.options.provider,
          err: error,
        });
      }

      return;
    }
    try {
      // A renewal still unanswered after ttl/3 leaves under ttl/3 of the lease: stop leading
      // rather than risk two live subscriptions.
      if (!(await this.withTimeout(this.renew(token)))) {
        await this.end(token, 'lost');
      }
    } catch (error) {
      this.logger.warn({
        msg: 'lease renewal failed',
        provider: this.options.provider,
        err: error,
      });
      await this.end(token, 'error');
    }
  }

  private async end(token: number, reason: LeaseLossReason): Promise<void> {
    if (this.held !== token) {
      return;
    }
    this.held = undefined;
    try {
      await this.handlers?.onLost(token, reason);
    } catch (error) {
      this.logger.error({
        msg: 'leadership not ended cleanly',
        provider: this.options.provider,
        err: error,
      });
    }
    if (reason !== 'lost') {
      // Best effort: a follower need not wait for the expiry. Compare-and-delete, so a lease
      // someone else took meanwhile is left alone.
      await this.release(token).catch((error: unknown) =>
        this.logger.warn({
          msg: 'lease not released',
          provider: this.options.provider,
          err: error,
        }),
      );
    }
  }

  private withTimeout<T>(work: Promise<T>): Promise<T> {
    let timer: unknown;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = this.timers.setTimeout(
        () => reject(new Error(`no answer within ${this.intervalMs} ms`)),
        this.intervalMs,
      );
    });

    return Promise.race([work, timeout]).finally(() => this.timers.clearTimeout(timer));
  }
}
