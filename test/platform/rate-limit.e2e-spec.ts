import {
  AuthRateLimit,
  AuthService,
  createRedis,
  Public,
  RedisThrottlerStorage,
} from '@bourse/platform';
import { Controller, Get, Module, Post } from '@nestjs/common';
import Redis from 'ioredis';
import { setTimeout as sleep } from 'node:timers/promises';
import { startApi, testConfig, type TestServer } from '../setup/apps';
import { cuttableProxy } from '../setup/net';
import { uniqueEmail } from '../factories/users';

// Throttler keys hash controller + handler + client IP, so each route here has its own counter
// and no other spec in the run (same IP, same Redis prefix, other controllers) can touch them.
@Public()
@Controller('test/rate-limit')
class RateLimitTestController {
  @Get('replicas')
  replicas(): { ok: true } {
    return { ok: true };
  }

  @Get('forwarded')
  forwarded(): { ok: true } {
    return { ok: true };
  }

  @Get('neighbour')
  neighbour(): { ok: true } {
    return { ok: true };
  }

  @Get('outage')
  outage(): { ok: true } {
    return { ok: true };
  }

  @Post('sign-in')
  @AuthRateLimit()
  signIn(): { ok: true } {
    return { ok: true };
  }
}

@Module({ controllers: [RateLimitTestController] })
class RateLimitTestModule {}

describe('rate limits', () => {
  // Behind the ingress: the client IP comes from X-Forwarded-For.
  const env = { RATE_LIMIT_PER_MINUTE: '5', AUTH_RATE_LIMIT_PER_MINUTE: '2', TRUST_PROXY: 'true' };
  let a: TestServer;
  let b: TestServer;

  beforeAll(async () => {
    [a, b] = await Promise.all([
      startApi(env, [RateLimitTestModule]),
      startApi(env, [RateLimitTestModule]),
    ]);
  });
  afterAll(() => Promise.all([a.close(), b.close()]));

  it('holds one limit across replicas and answers the excess with a 429 problem and Retry-After', async () => {
    const remaining: (string | null)[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await (i % 2 === 0 ? a : b).request('GET', '/test/rate-limit/replicas');
      expect(res.status).toBe(200);
      remaining.push(res.headers.get('x-ratelimit-remaining'));
    }
    expect(remaining).toEqual(['4', '3', '2', '1', '0']);

    const limited = await b.request('GET', '/test/rate-limit/replicas');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('content-type')).toContain('application/problem+json');
    expect(limited.body).toMatchObject({ status: 429, code: 'rate_limit.exceeded' });
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(59);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(limited.body.retryAfter).toBe(retryAfter);

    // Blocked on the other replica too, and another route of the same client is unaffected.
    expect((await a.request('GET', '/test/rate-limit/replicas')).status).toBe(429);
    expect((await a.request('GET', '/test/rate-limit/neighbour')).status).toBe(200);
  });

  it('counts per client IP, as forwarded by a trusted proxy', async () => {
    const from = (ip: string) =>
      a.request('GET', '/test/rate-limit/forwarded', { headers: { 'x-forwarded-for': ip } });
    for (let i = 0; i < 5; i++) {
      expect((await from('203.0.113.7')).status).toBe(200);
    }
    expect((await from('203.0.113.7')).status).toBe(429);
    expect((await from('203.0.113.8')).status).toBe(200);
  });

  it('never limits health probes or metrics', async () => {
    for (let i = 0; i < 8; i++) {
      const [live, ready, metrics] = await Promise.all([
        a.request('GET', '/health/live'),
        b.request('GET', '/health/ready'),
        a.metrics(),
      ]);
      expect([live.status, ready.status, metrics.status]).toEqual([200, 200, 200]);
      expect(live.headers.get('x-ratelimit-limit')).toBeNull();
    }
  });

  it('applies the stricter auth limit to @AuthRateLimit() routes, read from config', async () => {
    const statuses: number[] = [];
    for (const server of [a, b, a]) {
      const res = await server.request('POST', '/test/rate-limit/sign-in');
      statuses.push(res.status);
      if (res.status === 201) {
        expect(res.headers.get('x-ratelimit-limit')).toBe('2');
      }
    }
    expect(statuses).toEqual([201, 201, 429]);
  });
});

describe('RedisThrottlerStorage', () => {
  let redis: Redis;
  let storage: RedisThrottlerStorage;
  let n = 0;
  const freshKey = (): string => `storage-spec-${Date.now()}-${n++}`;

  beforeAll(() => {
    redis = createRedis(testConfig(), 'rate-limit-spec');
    storage = new RedisThrottlerStorage(redis);
  });
  afterAll(() => redis.quit());

  it('counts hits in a window that starts at the first hit', async () => {
    const key = freshKey();
    const first = await storage.increment(key, 60_000, 3, 60_000, 'default');
    const second = await storage.increment(key, 60_000, 3, 60_000, 'default');
    expect(first).toEqual({
      totalHits: 1,
      timeToExpire: 60,
      isBlocked: false,
      timeToBlockExpire: 0,
    });
    expect(second).toMatchObject({ totalHits: 2, isBlocked: false });
  });

  it('blocks past the limit for blockDuration without counting blocked hits, then starts afresh', async () => {
    const key = freshKey();
    for (let i = 0; i < 2; i++) {
      await storage.increment(key, 60_000, 2, 300, 'default');
    }
    const blocked = await storage.increment(key, 60_000, 2, 300, 'default');
    expect(blocked).toMatchObject({ totalHits: 3, isBlocked: true, timeToBlockExpire: 1 });
    expect(await storage.increment(key, 60_000, 2, 300, 'default')).toMatchObject({
      totalHits: 3,
      isBlocked: true,
    });

    await sleep(350);
    expect(await storage.increment(key, 60_000, 2, 300, 'default')).toMatchObject({
      totalHits: 1,
      isBlocked: false,
    });
  });

  it('without a block duration refuses only until the window ends', async () => {
    const key = freshKey();
    await storage.increment(key, 300, 1, 0, 'default');
    expect(await storage.increment(key, 300, 1, 0, 'default')).toMatchObject({
      totalHits: 2,
      isBlocked: true,
      timeToBlockExpire: 1,
    });
    await sleep(350);
    expect(await storage.increment(key, 300, 1, 0, 'default')).toMatchObject({
      totalHits: 1,
      isBlocked: false,
    });
  });

  it('lets exactly the limit through a burst of concurrent hits', async () => {
    const key = freshKey();
    const results = await Promise.all(
      Array.from({ length: 40 }, () => storage.increment(key, 60_000, 10, 60_000, 'default')),
    );
    expect(results.filter((r) => !r.isBlocked)).toHaveLength(10);
  });

  it('writes expiring keys under the run prefix (ioredis prefixes script KEYS too)', async () => {
    const key = freshKey();
    await storage.increment(key, 60_000, 10, 60_000, 'default');
    const raw = new Redis(testConfig().redis.url);
    try {
      const hits = `${testConfig().redis.keyPrefix}:throttle:default:{${key}}:hits`;
      expect(await raw.pttl(hits)).toBeGreaterThan(59_000);
    } finally {
      await raw.quit();
    }
  });
});

describe('rate limits while Redis is away', () => {
  let api: TestServer;

  beforeAll(async () => {
    api = await startApi({ REDIS_URL: 'redis://127.0.0.1:1', RATE_LIMIT_PER_MINUTE: '3' }, [
      RateLimitTestModule,
    ]);
  });
  afterAll(() => api.close());

  it('keeps limiting in this process, without waiting for Redis or failing because of it', async () => {
    const statuses: number[] = [];
    const started = Date.now();
    for (let i = 0; i < 4; i++) {
      statuses.push((await api.request('GET', '/test/rate-limit/neighbour')).status);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('still signs users in, without the per-account count, at once', async () => {
    const email = uniqueEmail();
    const password = 'a long enough password';
    await api.app.get(AuthService).createUser({ email, password, role: 'user' });
    const started = Date.now();

    const wrong = await api.request('POST', '/v1/auth/login', {
      body: { email, password: 'wrong password' },
    });
    const right = await api.request('POST', '/v1/auth/login', { body: { email, password } });

    expect([wrong.status, right.status]).toEqual([401, 200]);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('counts in this process from the moment Redis goes away after boot', async () => {
    const redisUrl = new URL(testConfig().redis.url);
    const proxy = await cuttableProxy(redisUrl);
    const viaProxy = Object.assign(new URL(redisUrl), { host: `127.0.0.1:${proxy.port}` });
    const cut = await startApi({ REDIS_URL: viaProxy.toString(), RATE_LIMIT_PER_MINUTE: '3' }, [
      RateLimitTestModule,
    ]);
    try {
      const first = await cut.request('GET', '/test/rate-limit/outage');
      expect(first.headers.get('x-ratelimit-remaining')).toBe('2'); // counted in Redis
      await proxy.cut();
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) {
        statuses.push((await cut.request('GET', '/test/rate-limit/outage')).status);
      }
      // The process starts its own count: three more pass, as Redis' count is out of reach.
      expect(statuses).toEqual([200, 200, 200, 429]);
    } finally {
      await cut.close();
    }
  });
});
