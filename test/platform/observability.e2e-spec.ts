import { Database, MetricsServer, Public } from '@bourse/platform';
import { Controller, Get, HttpCode, Logger, Module, Param, Post, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { setTimeout as delay } from 'node:timers/promises';
import { createApiApp } from '../../apps/api/src/api.app';
import { LogCapture, startApi, testConfig, type TestServer } from '../setup/apps';
import { cuttableProxy } from '../setup/net';

const BEARER = 'Bearer tok-SECRET-123';
const COOKIE = 'sid=COOKIE-SECRET-456';
const SECRETS = ['tok-SECRET-123', 'COOKIE-SECRET-456', 'PW-SECRET', 'API-KEY-SECRET'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

@Public()
@Controller('test/obs')
class ObservabilityTestController {
  private readonly logger = new Logger('ObservabilityTest');

  @Get('things/:id')
  thing(@Param('id') id: string): { id: string } {
    return { id };
  }

  /** Logs secrets the careless way, through both loggers a controller can reach. */
  @Post('careless-log')
  @HttpCode(204)
  carelessLog(@Req() request: FastifyRequest): void {
    this.logger.log({
      msg: 'nest logger',
      password: 'PW-SECRET',
      user: { email: 'a@example.com', password: 'PW-SECRET' },
      // The auth guard rejects a made-up bearer token, so that header is added here.
      headers: { ...request.headers, authorization: BEARER },
    });
    request.log.info(
      {
        request: { headers: { ...request.headers, authorization: BEARER } },
        body: { credentials: { apiKey: 'API-KEY-SECRET' } },
      },
      'pino logger',
    );
  }
}

@Module({ controllers: [ObservabilityTestController] })
class ObservabilityTestModule {}

describe('observability', () => {
  let api: TestServer;

  beforeAll(async () => {
    api = await startApi({ CORS_ORIGINS: 'https://app.example.com,https://admin.example.com' }, [
      ObservabilityTestModule,
    ]);
  });
  afterAll(() => api.close());

  const linesOf = (requestId: string) => api.logs.lines.filter((l) => l.requestId === requestId);

  describe('request ids', () => {
    it('keeps a sane X-Request-Id, echoes it and logs with it', async () => {
      const res = await api.request('GET', '/test/obs/things/1', {
        headers: { 'x-request-id': 'edge-7f3a.01:retry-2' },
      });
      expect(res.headers.get('x-request-id')).toBe('edge-7f3a.01:retry-2');
      expect(linesOf('edge-7f3a.01:retry-2')).toEqual([
        expect.objectContaining({
          level: 'info',
          msg: 'request completed',
          service: 'api',
          method: 'GET',
          url: '/test/obs/things/1',
          route: '/test/obs/things/:id',
          status: 200,
          ms: expect.any(Number),
          time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        }),
      ]);
    });

    it('generates one when absent', async () => {
      const res = await api.request('GET', '/test/obs/things/1');
      expect(res.headers.get('x-request-id')).toMatch(UUID);
    });

    it.each([
      ['spaces', 'not a sane id'],
      ['markup', '<script>alert(1)</script>'],
      ['an oversized value', 'x'.repeat(129)],
    ])('replaces one with %s', async (_what, given) => {
      const res = await api.request('GET', '/test/obs/things/1', {
        headers: { 'x-request-id': given },
      });
      const id = res.headers.get('x-request-id')!;
      expect(id).toMatch(UUID);
      expect(JSON.stringify(api.logs.lines)).not.toContain(given);
      expect(linesOf(id)).toHaveLength(1);
    });
  });

  describe('logs', () => {
    it('writes every line as JSON with a level, time and service', () => {
      expect(api.logs.lines.length).toBeGreaterThan(0);
      for (const line of api.logs.lines) {
        expect(line).toMatchObject({
          level: expect.any(String),
          time: expect.any(String),
          service: 'api',
        });
      }
    });

    it('never writes request headers in the request log', async () => {
      const res = await api.request('GET', '/test/obs/things/2', {
        headers: { authorization: BEARER, cookie: COOKIE, 'x-api-key': 'API-KEY-SECRET' },
      });
      const lines = linesOf(res.headers.get('x-request-id')!);
      expect(lines).toHaveLength(1);
      expect(Object.keys(lines[0]!)).not.toContain('headers');
      expect(Object.keys(lines[0]!)).not.toContain('req');
      const text = JSON.stringify(lines);
      SECRETS.forEach((secret) => expect(text).not.toContain(secret));
    });

    it('redacts credentials whichever logger writes them', async () => {
      const res = await api.request('POST', '/test/obs/careless-log', {
        headers: {
          cookie: COOKIE,
          'x-api-key': 'API-KEY-SECRET',
          'x-request-id': 'careless-1',
        },
      });
      expect(res.status).toBe(204);
      const text = JSON.stringify(api.logs.lines);
      SECRETS.forEach((secret) => expect(text).not.toContain(secret));

      const nest = api.logs.lines.find((l) => l.msg === 'nest logger')!;
      expect(nest).toMatchObject({
        context: 'ObservabilityTest',
        password: '[redacted]',
        user: { email: 'a@example.com', password: '[redacted]' },
        headers: { authorization: '[redacted]', cookie: '[redacted]', 'x-api-key': '[redacted]' },
      });
      const pino = linesOf('careless-1').find((l) => l.msg === 'pino logger')!;
      expect(pino).toMatchObject({
        request: { headers: { authorization: '[redacted]', cookie: '[redacted]' } },
        body: { credentials: { apiKey: '[redacted]' } },
      });
    });
  });

  describe('metrics', () => {
    const scrape = async (): Promise<string> => {
      const res = await api.metrics();
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/plain');

      return res.body;
    };

    it('serves /metrics on its own port only, never on the public one', async () => {
      expect((await api.request('GET', '/metrics')).status).toBe(404);
      const metricsUrl = new URL(api.app.get(MetricsServer).url);
      expect(metricsUrl.port).not.toBe(new URL(api.url).port);
      expect((await fetch(`${metricsUrl.origin}/health/live`)).status).toBe(404);
      expect((await fetch(`${metricsUrl.origin}/metrics`, { method: 'POST' })).status).toBe(404);
    });

    it('runs the readiness checks at scrape: each dependency up, with its round trip', async () => {
      const text = await scrape();
      expect(text).toMatch(/^dependency_up\{dependency="postgres"\} 1$/m);
      expect(text).toMatch(/^dependency_up\{dependency="redis"\} 1$/m);
      expect(text).toMatch(/^dependency_check_seconds\{dependency="redis"\} \d/m);
    });

    it('exposes the default process metrics', async () => {
      const text = await scrape();
      expect(text).toMatch(/^process_cpu_user_seconds_total \d/m);
      expect(text).toMatch(/^process_resident_memory_bytes \d/m);
      expect(text).toMatch(/^nodejs_eventloop_lag_seconds \d/m);
      expect(text).toMatch(/^log_lines_dropped_total \d+$/m);
    });

    it('shows the database pool: connections in use, idle, its size and who waits', async () => {
      const db = api.app.get(Database);
      const gauge = (text: string, name: string): number =>
        Number(
          text
            .split('\n')
            .find((line) => line.startsWith(`${name} `))
            ?.split(' ')[1],
        );
      // Every connection lent out, and one more caller in line for one.
      const held = Array.from({ length: api.config.database.poolSize }, () =>
        db.dataSource.createQueryRunner(),
      );
      await Promise.all(held.map((runner) => runner.connect()));
      const waiting = db.ping();
      try {
        const text = await scrape();

        expect(gauge(text, 'db_pool_connections{state="max"}')).toBe(api.config.database.poolSize);
        expect(gauge(text, 'db_pool_connections{state="in_use"}')).toBe(
          api.config.database.poolSize,
        );
        expect(gauge(text, 'db_pool_connections{state="idle"}')).toBe(0);
        // At least our caller: on a busy host one of the api's own periodic reads may queue too.
        expect(gauge(text, 'db_pool_waiting')).toBeGreaterThanOrEqual(1);
      } finally {
        await Promise.all(held.map((runner) => runner.release()));
        await waiting;
      }
      expect(gauge(await scrape(), 'db_pool_waiting')).toBe(0);
    });

    it('records request durations by route template, not by URL', async () => {
      for (const id of ['41', '42', '43']) {
        expect((await api.request('GET', `/test/obs/things/${id}`)).status).toBe(200);
      }
      await api.request('GET', '/test/obs/nowhere/at/all');
      await api.request('GET', '/health/live');
      await api.request('GET', '/health/ready');
      // onResponse observes after the bytes leave, so give the last one a moment.
      await delay(20);
      const text = await scrape();

      const bucket = text
        .split('\n')
        .find(
          (line) =>
            line.startsWith('http_request_duration_seconds_bucket{') &&
            line.includes('le="+Inf"') &&
            line.includes('method="GET"') &&
            line.includes('route="/test/obs/things/:id"') &&
            line.includes('status_code="200"'),
        );
      expect(bucket).toBeDefined();
      expect(Number(bucket!.split(' ').at(-1))).toBeGreaterThanOrEqual(3);
      expect(text).not.toMatch(/route="\/test\/obs\/things\/4\d"/);
      expect(text).toMatch(/http_request_duration_seconds_count\{[^}]*route="unmatched"/);
      expect(text).not.toMatch(/http_request_duration_seconds\w*\{[^}]*route="\/(health|metrics)/);
    });
  });

  describe('http hardening', () => {
    it('sends the REST security headers on JSON responses, on errors too', async () => {
      for (const path of ['/test/obs/things/1', '/test/obs/nowhere', '/health/live']) {
        const res = await api.request('GET', path);
        expect(res.headers.get('x-content-type-options')).toBe('nosniff');
        expect(res.headers.get('x-frame-options')).toBe('DENY');
        expect(res.headers.get('strict-transport-security')).toContain('max-age=');
        expect(res.headers.get('content-security-policy')).toBe(
          "default-src 'none';frame-ancestors 'none'",
        );
        expect(res.headers.get('cache-control')).toBe('no-store');
      }
    });

    it("gives the Swagger UI page helmet's full set, with the inline code it needs", async () => {
      const res = await fetch(`${api.url}/docs`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/html');
      expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
      expect(res.headers.get('content-security-policy')).toContain(
        "script-src 'self' 'unsafe-inline'",
      );
      expect(res.headers.get('cache-control')).toBeNull();
    });

    it('answers a CORS preflight for a configured origin', async () => {
      const res = await api.request('OPTIONS', '/test/obs/careless-log', {
        headers: {
          origin: 'https://admin.example.com',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type,idempotency-key',
        },
      });
      expect(res.status).toBe(204);
      expect(res.headers.get('access-control-allow-origin')).toBe('https://admin.example.com');
      expect(res.headers.get('access-control-allow-methods')).toContain('POST');
      expect(res.headers.get('access-control-allow-headers')).toContain('idempotency-key');
      expect(res.headers.get('access-control-max-age')).toBe('600');
      expect(res.headers.get('vary')).toBe('Origin, Access-Control-Request-Headers');
    });

    it('lets browsers call every method the api has, on any route', async () => {
      const res = await api.request(
        'OPTIONS',
        '/v1/admin/api-keys/0190d1c2-0000-7000-8000-000000000000',
        {
          headers: {
            origin: 'https://admin.example.com',
            'access-control-request-method': 'DELETE',
          },
        },
      );
      expect(res.status).toBe(204);
      expect(res.headers.get('access-control-allow-methods')!.split(', ')).toEqual(
        expect.arrayContaining(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']),
      );
      expect(res.headers.get('access-control-allow-headers')).toBeNull();
    });

    it('adds only Vary: Origin when a request carries no Origin', async () => {
      const res = await api.request('GET', '/health/live');
      expect(res.headers.get('vary')).toBe('Origin');
      expect([...res.headers.keys()].filter((name) => name.startsWith('access-control-'))).toEqual(
        [],
      );
    });

    it('gives another origin no CORS grant', async () => {
      const res = await api.request('OPTIONS', '/test/obs/careless-log', {
        headers: { origin: 'https://evil.example.com', 'access-control-request-method': 'POST' },
      });
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
      expect(res.status).toBe(404);
      const read = await api.request('GET', '/test/obs/things/1', {
        headers: { origin: 'https://evil.example.com' },
      });
      expect(read.status).toBe(200);
      expect(read.headers.get('access-control-allow-origin')).toBeNull();
      expect(read.headers.get('access-control-expose-headers')).toBeNull();
    });

    it('never grants the opaque origin "null", even to a policy that allows any origin', async () => {
      const open = await startApi({ CORS_ORIGINS: '*' });
      try {
        const any = await open.request('GET', '/health/live', {
          headers: { origin: 'https://anywhere.example.org' },
        });
        expect(any.headers.get('access-control-allow-origin')).toBe('https://anywhere.example.org');
        const opaque = await open.request('GET', '/health/live', { headers: { origin: 'null' } });
        expect(opaque.headers.get('access-control-allow-origin')).toBeNull();
      } finally {
        await open.close();
      }
    });

    it('exposes the request id to browsers', async () => {
      const res = await api.request('GET', '/test/obs/things/1', {
        headers: { origin: 'https://app.example.com' },
      });
      expect(res.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
      expect(res.headers.get('access-control-expose-headers')).toContain('x-request-id');
    });
  });
});

describe('readiness when a dependency is away', () => {
  it('boots without Redis, stays live and reports Redis down', async () => {
    const started = Date.now();
    const api = await startApi({ REDIS_URL: 'redis://127.0.0.1:1' });
    try {
      expect(Date.now() - started).toBeLessThan(10_000);
      expect((await api.request('GET', '/health/live')).status).toBe(200);
      const ready = await api.request('GET', '/health/ready');
      expect(ready.status).toBe(503);
      expect(ready.body).toMatchObject({
        status: 'error',
        error: { redis: { status: 'down', message: expect.any(String) } },
        details: { postgres: { status: 'up' }, redis: { status: 'down' } },
      });
      // ioredis retries all along; the outage is one JSON warning, not a line per attempt.
      const warnings = api.logs.lines.filter((l) => l.context === 'Redis:commands');
      expect(warnings).toEqual([
        expect.objectContaining({ level: 'warn', msg: 'Redis connection failed; retrying' }),
      ]);
    } finally {
      await api.close();
    }
  });

  it('reports Postgres down when it goes away after boot, and recovers liveness', async () => {
    const database = new URL(process.env.DATABASE_URL!);
    const proxy = await cuttableProxy(database);
    const viaProxy = new URL(database);
    viaProxy.host = `127.0.0.1:${proxy.port}`;
    const api = await startApi({ DATABASE_URL: viaProxy.toString() });
    try {
      expect((await api.request('GET', '/health/ready')).status).toBe(200);
      await proxy.cut();

      const started = Date.now();
      const ready = await api.request('GET', '/health/ready');
      // Each check is cut off after 2 s, so a dead dependency cannot stall the probe.
      expect(Date.now() - started).toBeLessThan(2_500);
      expect(ready.status).toBe(503);
      expect(ready.body).toMatchObject({
        details: { postgres: { status: 'down' }, redis: { status: 'up' } },
      });
      expect((await api.request('GET', '/health/live')).status).toBe(200);
    } finally {
      await api.close();
    }
  });

  it('fails boot when Postgres is unreachable (the orchestrator restarts the process)', async () => {
    const logs = new LogCapture();
    const app = await createApiApp(
      testConfig({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/x' }),
      {
        logDestination: logs,
      },
    );
    try {
      await expect(app.listen({ port: 0, host: '127.0.0.1' })).rejects.toThrow(/ECONNREFUSED/);
    } finally {
      await app.close();
    }
  });
});
