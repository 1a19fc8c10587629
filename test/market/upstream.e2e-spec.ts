import {
  LeaderLease,
  MarketChannels,
  MarketUpstream,
  SYMBOLS,
  MarketKeys,
  TickPublisher,
  UpstreamRunner,
  type DropReason,
  type LeaseTimers,
  type Quote,
  type Tick,
} from '@bourse/market-data';
import { createRedis } from '@bourse/platform';
import type Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { testConfig, type TestServer } from '../setup/apps';
import { startWorker } from '../setup/worker';

const TTL_MS = 600;
const RENEW_MS = TTL_MS / 3;
// Timer and round-trip latency on a busy CI box, on top of the ttl + ttl/3 bound.
const SLACK_MS = 250;

const clients: Redis[] = [];
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) {
    await cleanup();
  }
  await Promise.all(clients.splice(0).map((client) => client.quit()));
});

/** A prefix of its own inside the run's (teardown deletes it), so tests never see each other. */
function isolatedPrefix(): string {
  return `${process.env.REDIS_KEY_PREFIX}-up-${randomUUID().slice(0, 8)}`;
}

/** A separate connection, as another worker replica would have. */
function connect(prefix: string): Redis {
  const client = createRedis(testConfig({ REDIS_KEY_PREFIX: prefix }), 'upstream-test');
  clients.push(client);

  return client;
}

async function listen(prefix: string): Promise<Tick[]> {
  const subscriber = connect(prefix);
  const ticks: Tick[] = [];
  subscriber.on('message', (_channel: string, message: string) => {
    ticks.push(JSON.parse(message) as Tick);
  });
  await subscriber.subscribe(MarketChannels.ticks(prefix));

  return ticks;
}

async function waitFor(done: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) {
      throw new Error('condition not met in time');
    }
    await sleep(5);
  }
}

/** Lease timers a test can freeze, as a stop-the-world pause freezes a process. */
class PausableTimers implements LeaseTimers {
  private paused = false;
  private readonly held: (() => void)[] = [];

  setTimeout(callback: () => void, ms: number): unknown {
    return setTimeout(() => (this.paused ? this.held.push(callback) : callback()), ms);
  }

  clearTimeout(handle: unknown): void {
    clearTimeout(handle as NodeJS.Timeout);
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    for (const callback of this.held.splice(0)) {
      callback();
    }
  }
}

/**
 * One worker replica: its own connection, lease, publisher and a feed standing in for the
 * upstream. Its prices start with its number, so a tick on the channel names its publisher.
 */
class Replica {
  readonly timers = new PausableTimers();
  readonly lease: LeaderLease;
  readonly publisher: TickPublisher;
  readonly runner: UpstreamRunner;
  readonly dropped: DropReason[] = [];
  readonly tokens: number[] = [];
  providersStarted = 0;
  leadingSince?: number;
  private emitted = 0;
  private feedPaused = false;
  private readonly backlog: Quote[] = [];
  private onQuote?: (quote: Quote) => void;
  private feed?: NodeJS.Timeout;

  constructor(
    readonly id: number,
    prefix: string,
  ) {
    const redis = connect(prefix);
    this.lease = new LeaderLease(redis, {
      provider: 'simulated',
      ownerId: `replica-${id}`,
      ttlMs: TTL_MS,
      timers: this.timers,
    });
    this.publisher = new TickPublisher(redis, 'simulated', prefix);
    this.runner = new UpstreamRunner({
      lease: this.lease,
      publisher: this.publisher,
      createProvider: () => ({
        name: 'simulated',
        start: async (onQuote) => {
          this.providersStarted += 1;
          this.tokens.push(this.lease.token!);
          this.onQuote = onQuote;
          this.feed = setInterval(() => this.emit(), 10);
        },
        stop: async () => {
          clearInterval(this.feed);
          this.onQuote = undefined;
        },
      }),
      onTick: () => undefined,
      observer: {
        published: () => undefined,
        dropped: (reason) => {
          if (reason !== 'error') {
            this.dropped.push(reason);
          }
        },
        leading: (isLeader) => {
          this.leadingSince = isLeader ? Date.now() : undefined;
        },
      },
    });
    cleanups.push(() => {
      this.timers.resume();

      return this.runner.stop();
    });
  }

  /** Freezes the replica: no renewals, and its quotes queue up as in a paused event loop. */
  pause(): void {
    this.timers.pause();
    this.feedPaused = true;
  }

  resume(): void {
    this.feedPaused = false;
    for (const quote of this.backlog.splice(0)) {
      this.onQuote?.(quote);
    }
    this.timers.resume();
  }

  private emit(): void {
    this.emitted += 1;
    const quote = {
      symbol: 'XAUUSD',
      price: `${this.id}${String(this.emitted).padStart(6, '0')}.00`,
      ts: Date.now(),
    };
    if (this.feedPaused) {
      this.backlog.push(quote);
    } else {
      this.onQuote?.(quote);
    }
  }
}

function publisherOf(tick: Tick): number {
  return Number(tick.price[0]);
}

function expectStrictlyIncreasing(seqs: number[]): void {
  for (let i = 1; i < seqs.length; i++) {
    expect(seqs[i]).toBeGreaterThan(seqs[i - 1]!);
  }
}

describe('leader election', () => {
  it('lets exactly one of three replicas run the provider', async () => {
    const prefix = isolatedPrefix();
    const replicas = [1, 2, 3].map((id) => new Replica(id, prefix));
    replicas.forEach((replica) => replica.runner.start());

    let maxLeaders = 0;
    const until = Date.now() + 3 * TTL_MS;
    while (Date.now() < until) {
      maxLeaders = Math.max(maxLeaders, replicas.filter((r) => r.runner.isLeader).length);
      await sleep(5);
    }

    expect(maxLeaders).toBe(1);
    expect(replicas.map((r) => r.providersStarted).sort()).toEqual([0, 0, 1]);
    expect(replicas.filter((r) => r.runner.isLeader)).toHaveLength(1);
  });

  it('replaces a paused leader within ttl + ttl/3, whose publishes are then fenced', async () => {
    const prefix = isolatedPrefix();
    const ticks = await listen(prefix);
    const replicas = [1, 2, 3].map((id) => new Replica(id, prefix));
    replicas.forEach((replica) => replica.runner.start());
    await waitFor(() => replicas.some((r) => r.runner.isLeader));
    const old = replicas.find((r) => r.runner.isLeader)!;
    await waitFor(() => ticks.length >= 5);

    const pausedAt = Date.now();
    old.pause();
    await waitFor(() => replicas.some((r) => r !== old && r.leadingSince !== undefined));
    const next = replicas.find((r) => r !== old && r.runner.isLeader)!;
    const failoverMs = next.leadingSince! - pausedAt;
    expect(failoverMs).toBeLessThanOrEqual(TTL_MS + RENEW_MS + SLACK_MS);
    await waitFor(() => ticks.some((t) => publisherOf(t) === next.id));

    // The old leader wakes up: its queued quotes reach the publisher with its old token.
    old.resume();
    await waitFor(() => !old.runner.isLeader);
    await waitFor(() => old.dropped.includes('fenced'));
    const stale = await old.publisher.publish(
      { symbol: 'XAUUSD', price: '1.00', ts: Date.now() },
      old.tokens[0]!,
    );
    expect(stale).toEqual({ outcome: 'fenced' });
    const seen = ticks.length;
    await waitFor(() => ticks.length >= seen + 5);

    // One writer at a time: every tick of the old leader precedes every tick of the new one.
    const writers = ticks.map(publisherOf);
    const handover = writers.indexOf(next.id);
    expect(writers.slice(0, handover).every((w) => w === old.id)).toBe(true);
    expect(writers.slice(handover).every((w) => w === next.id)).toBe(true);
    expectStrictlyIncreasing(ticks.map((t) => t.seq));
    expect(next.tokens[0]).toBeGreaterThan(old.tokens[0]!);
    expect(replicas.filter((r) => r.runner.isLeader).map((r) => r.id)).toEqual([next.id]);
  });

  it('hands over at once when the leader stops, releasing its lease', async () => {
    const prefix = isolatedPrefix();
    const replicas = [1, 2].map((id) => new Replica(id, prefix));
    replicas.forEach((replica) => replica.runner.start());
    await waitFor(() => replicas.some((r) => r.runner.isLeader));
    const old = replicas.find((r) => r.runner.isLeader)!;
    const other = replicas.find((r) => r !== old)!;

    const stoppedAt = Date.now();
    await old.runner.stop();
    expect(await connect(prefix).get(MarketKeys.lease('simulated'))).toBeNull();
    await waitFor(() => other.runner.isLeader);

    // No waiting for an expiry: the follower's next attempt (every ttl/3) finds the lease free.
    expect(Date.now() - stoppedAt).toBeLessThanOrEqual(RENEW_MS + SLACK_MS);
  });

  it('takes a strictly greater fencing token on every acquisition', async () => {
    const prefix = isolatedPrefix();
    const lease = new LeaderLease(connect(prefix), {
      provider: 'simulated',
      ownerId: 'solo',
      ttlMs: TTL_MS,
    });
    const first = await lease.tryAcquire();
    expect(await lease.tryAcquire()).toBeUndefined();
    expect(await lease.renew(first!)).toBe(true);
    expect(await lease.release(first!)).toBe(true);
    const second = await lease.tryAcquire();

    expect(second).toBeGreaterThan(first!);
    expect(await lease.renew(first!)).toBe(false);
    expect(await lease.release(first!)).toBe(false);
    expect(await connect(prefix).get(MarketKeys.lease('simulated'))).toBe(`solo:${second}`);
  });
});

describe('TickPublisher', () => {
  async function leader(prefix: string): Promise<{ publisher: TickPublisher; token: number }> {
    const redis = connect(prefix);
    const lease = new LeaderLease(redis, { provider: 'simulated', ownerId: 'p', ttlMs: 60_000 });

    return {
      publisher: new TickPublisher(redis, 'simulated', prefix),
      token: (await lease.tryAcquire())!,
    };
  }

  it('stores the last price and publishes the same tick on the prefixed channel', async () => {
    const prefix = isolatedPrefix();
    const ticks = await listen(prefix);
    const { publisher, token } = await leader(prefix);

    const result = await publisher.publish(
      { symbol: 'XAUUSD', price: '2650.1', ts: 1_700_000_000_000 },
      token,
    );

    const tick = { symbol: 'XAUUSD', price: '2650.10', ts: 1_700_000_000_000, seq: 1 };
    expect(result).toEqual({ outcome: 'published', tick });
    await waitFor(() => ticks.length === 1);
    expect(ticks[0]).toEqual(tick);
    const redis = connect(prefix);
    expect(JSON.parse((await redis.hget(MarketKeys.lastPrices, 'XAUUSD'))!)).toEqual(tick);
    expect(await redis.get(MarketKeys.seq('XAUUSD'))).toBe('1');
  });

  it('normalizes prices to the symbol scale in integer math', async () => {
    const { publisher, token } = await leader(isolatedPrefix());
    const ts = Date.now();

    const prices = await Promise.all(
      [
        ['XAUUSD', '2650.005'],
        ['XAGUSD', '31.2'],
        ['EURUSD', '1.2345678e-0'],
        ['BTCUSD', '95000'],
      ].map(async ([symbol, price]) => {
        const result = await publisher.publish({ symbol: symbol!, price: price!, ts }, token);

        return result.outcome === 'published' ? result.tick.price : result.outcome;
      }),
    );

    expect(prices).toEqual(['2650.01', '31.200', '1.23457', '95000.00']);
  });

  it('drops older and identical quotes, keeps a new price at the same ts', async () => {
    const { publisher, token } = await leader(isolatedPrefix());
    const publish = async (price: string, ts: number) => {
      const result = await publisher.publish({ symbol: 'XAUUSD', price, ts }, token);

      return result.outcome === 'published' ? result.tick.seq : result.outcome;
    };

    expect(await publish('2650.00', 2000)).toBe(1);
    expect(await publish('2651.00', 1999)).toBe('stale');
    expect(await publish('2650.00', 2000)).toBe('duplicate');
    expect(await publish('2650.001', 2000)).toBe('duplicate');
    expect(await publish('2650.10', 2000)).toBe(2);
    expect(await publish('2650.10', 2001)).toBe(3);
  });

  it('refuses unknown symbols, bad prices and bad or future timestamps without touching Redis', async () => {
    const prefix = isolatedPrefix();
    const { publisher, token } = await leader(prefix);

    for (const quote of [
      { symbol: 'DOGEUSD', price: '1.00', ts: 1 },
      { symbol: 'XAUUSD', price: '-1', ts: 1 },
      { symbol: 'XAUUSD', price: '0.001', ts: 1 },
      { symbol: 'XAUUSD', price: '1.00', ts: 1.5 },
      { symbol: 'XAUUSD', price: '1.00', ts: Number.NaN },
      { symbol: 'XAUUSD', price: '1.00', ts: Date.now() + 3_600_000 },
    ]) {
      expect(await publisher.publish(quote, token)).toEqual({ outcome: 'invalid' });
    }
    expect(await connect(prefix).exists(MarketKeys.lastPrices)).toBe(0);
  });

  it('fences a token that is not the current lease: nothing stored, published or sequenced', async () => {
    const prefix = isolatedPrefix();
    const ticks = await listen(prefix);
    const { publisher, token } = await leader(prefix);
    const redis = connect(prefix);
    const quote = { symbol: 'XAUUSD', price: '2650.00', ts: Date.now() };

    expect(await publisher.publish(quote, token + 1)).toEqual({ outcome: 'fenced' });
    await redis.del(MarketKeys.lease('simulated'));
    expect(await publisher.publish(quote, token)).toEqual({ outcome: 'fenced' });

    await sleep(50);
    expect(ticks).toEqual([]);
    expect(await redis.exists(MarketKeys.lastPrices, MarketKeys.seq('XAUUSD'))).toBe(0);
  });
});

describe('worker', () => {
  async function metric(worker: TestServer, line: RegExp): Promise<number> {
    const { body } = await worker.metrics();
    const match = body.split('\n').find((l) => line.test(l));

    return Number(match?.split(' ').pop());
  }

  it('walks the simulated feed on from the last published prices, not from its start', async () => {
    const prefix = isolatedPrefix();
    const ticks = await listen(prefix);
    // As a previous leader (or deploy) left them, far from every symbol's simulatedStart.
    const left = SYMBOLS.map((spec, i) => ({
      symbol: spec.symbol,
      price: `${7 + i}.${'1'.repeat(spec.scale)}`,
      ts: Date.now() - 1000,
      seq: 41,
    }));
    await connect(prefix).hset(
      MarketKeys.lastPrices,
      Object.fromEntries(left.map((tick) => [tick.symbol, JSON.stringify(tick)])),
    );
    const worker = await startWorker({
      REDIS_KEY_PREFIX: prefix,
      MARKET_PROVIDER: 'simulated',
      MARKET_LEASE_TTL_MS: String(TTL_MS),
      MARKET_SIM_TICKS_PER_SECOND: '20',
    });
    cleanups.push(() => worker.close());

    await waitFor(() => SYMBOLS.every((s) => ticks.some((t) => t.symbol === s.symbol)));
    for (const tick of left) {
      const first = ticks.find((t) => t.symbol === tick.symbol)!;
      expect(first.price).toBe(tick.price);
    }
  });

  it('publishes simulated ticks from exactly one of two workers, then hands over', async () => {
    const prefix = isolatedPrefix();
    const ticks = await listen(prefix);
    const env = {
      REDIS_KEY_PREFIX: prefix,
      MARKET_PROVIDER: 'simulated',
      MARKET_LEASE_TTL_MS: String(TTL_MS),
      MARKET_SIM_TICKS_PER_SECOND: '20',
    };
    const workers = [await startWorker(env), await startWorker(env)];
    const running = new Set(workers);
    cleanups.push(async () => {
      await Promise.all([...running].map((w) => w.close()));
    });
    const leads = (w: TestServer) => w.app.get(MarketUpstream).isLeader;

    await waitFor(() => SYMBOLS.every((s) => ticks.some((t) => t.symbol === s.symbol)));
    expect(workers.filter(leads)).toHaveLength(1);
    const leader = workers.find(leads)!;
    const follower = workers.find((w) => w !== leader)!;
    expect(await metric(leader, /^market_leader\{provider="simulated"\}/)).toBe(1);
    expect(await metric(follower, /^market_leader\{provider="simulated"\}/)).toBe(0);
    expect(
      await metric(leader, /^market_ticks_published_total\{symbol="XAUUSD"\}/),
    ).toBeGreaterThan(0);

    await leader.close();
    running.delete(leader);
    const before = ticks.length;
    await waitFor(() => leads(follower), RENEW_MS + SLACK_MS);
    await waitFor(() => ticks.length >= before + 20);
    await follower.close();
    running.delete(follower);

    const last = await connect(prefix).hgetall(MarketKeys.lastPrices);
    // The subscriber may still be reading the final messages.
    await waitFor(() =>
      SYMBOLS.every((s) =>
        ticks.some(
          (t) => t.seq === (JSON.parse(last[s.symbol]!) as Tick).seq && t.symbol === s.symbol,
        ),
      ),
    );
    for (const spec of SYMBOLS) {
      const own = ticks.filter((t) => t.symbol === spec.symbol);
      expectStrictlyIncreasing(own.map((t) => t.seq));
      expect(own.every((t) => t.price.split('.')[1]!.length === spec.scale)).toBe(true);
      expect(JSON.parse(last[spec.symbol]!)).toEqual(own.at(-1));
    }
  });
});
