import { ConfigError, loadConfig, type Env } from './config';

const problemsOf = (env: Env): string[] => {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      return error.problems;
    }
    throw error;
  }
  throw new Error('expected a ConfigError');
};

const PRODUCTION_SECRET = 'a-production-secret-of-at-least-32-chars';

describe('loadConfig', () => {
  it('loads development defaults from an empty environment', () => {
    const config = loadConfig({});
    expect(config.env).toBe('development');
    expect(config.http).toEqual({
      host: '0.0.0.0',
      apiPort: 3000,
      workerPort: 3001,
      apiMetricsPort: 3002,
      workerMetricsPort: 3003,
      keepAliveTimeoutMs: 72000,
      corsOrigins: ['*'],
      bodyLimitBytes: 1048576,
      trustProxy: false,
    });
    expect(config.database).toEqual({
      url: 'postgres://postgres@127.0.0.1:5432/bourse',
      poolSize: 10,
      connectTimeoutMs: 5000,
      statementTimeoutMs: 15000,
    });
    expect(config.redis).toEqual({ url: 'redis://127.0.0.1:6379', keyPrefix: 'bourse' });
    expect(config.shutdown).toEqual({ drainDelayMs: 0, timeoutMs: 25000 });
    expect(config.auth.jwtSecret.length).toBeGreaterThanOrEqual(32);
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ API_PORT: '', LOG_LEVEL: '' }).http.apiPort).toBe(3000);
  });

  it('lists every problem in one ConfigError', () => {
    const problems = problemsOf({
      API_PORT: 'eighty',
      DATABASE_URL: 'mysql://db/bourse',
      LOG_LEVEL: 'loud',
      DATABASE_POOL_SIZE: '0',
      JWT_SECRET: 'short',
    });
    expect(problems).toHaveLength(5);
    expect(problems.map((p) => p.split(':')[0])).toEqual([
      'API_PORT',
      'DATABASE_URL',
      'DATABASE_POOL_SIZE',
      'LOG_LEVEL',
      'JWT_SECRET',
    ]);
  });

  it('says what is wrong with an integer', () => {
    expect(problemsOf({ API_PORT: '3.5' })).toEqual(['API_PORT: must be an integer, got "3.5"']);
    expect(problemsOf({ API_PORT: '70000' })).toEqual(['API_PORT: must be <= 65535, got 70000']);
    expect(problemsOf({ BODY_LIMIT_BYTES: '10' })).toEqual([
      'BODY_LIMIT_BYTES: must be >= 1024, got 10',
    ]);
  });

  it('says what is wrong with a URL', () => {
    expect(problemsOf({ REDIS_URL: 'not a url' })).toEqual([
      'REDIS_URL: must be a URL (redis: or rediss:), got "not a url"',
    ]);
    expect(problemsOf({ DATABASE_URL: 'http://db:5432/bourse' })).toEqual([
      'DATABASE_URL: must use postgres: or postgresql:, got "http:"',
    ]);
  });

  it('says what is wrong with an enumerated value', () => {
    expect(problemsOf({ NODE_ENV: 'staging' })).toEqual([
      'NODE_ENV: must be one of development, test, production, got "staging"',
    ]);
  });

  it('names the message ConfigError prints', () => {
    expect(() => loadConfig({ API_PORT: 'x', WORKER_PORT: 'y' })).toThrow(
      /Invalid configuration:\n {2}- API_PORT: .*\n {2}- WORKER_PORT: /,
    );
  });

  describe('in production', () => {
    it('requires JWT_SECRET', () => {
      expect(problemsOf({ NODE_ENV: 'production' })).toEqual([
        expect.stringMatching(/^JWT_SECRET: is required in production/),
      ]);
    });

    it('refuses the development JWT_SECRET given explicitly', () => {
      const devSecret = loadConfig({}).auth.jwtSecret;
      expect(problemsOf({ NODE_ENV: 'production', JWT_SECRET: devSecret })).toEqual([
        'JWT_SECRET: must not be the development default in production',
      ]);
    });

    it('still checks the length of a given JWT_SECRET', () => {
      expect(problemsOf({ NODE_ENV: 'production', JWT_SECRET: 'short' })).toEqual([
        'JWT_SECRET: must be at least 32 characters',
      ]);
    });

    it('loads with a real secret', () => {
      const config = loadConfig({ NODE_ENV: 'production', JWT_SECRET: PRODUCTION_SECRET });
      expect(config.env).toBe('production');
      expect(config.auth.jwtSecret).toBe(PRODUCTION_SECRET);
    });
  });

  describe('TRUST_PROXY', () => {
    const trustProxy = (value: string) => loadConfig({ TRUST_PROXY: value }).http.trustProxy;

    it('parses booleans and hop counts', () => {
      expect(trustProxy('true')).toBe(true);
      expect(trustProxy('false')).toBe(false);
      expect(trustProxy('2')).toBe(2);
    });

    it('parses addresses, CIDRs and named ranges', () => {
      expect(trustProxy('10.0.0.1, 10.1.0.0/16,,::1 ,fd00::/8,loopback')).toEqual([
        '10.0.0.1',
        '10.1.0.0/16',
        '::1',
        'fd00::/8',
        'loopback',
      ]);
    });

    it('rejects what Fastify would crash on at boot', () => {
      expect(problemsOf({ TRUST_PROXY: 'yes' })).toEqual([
        'TRUST_PROXY: must be true, false, a hop count or addresses/CIDRs, got "yes"',
      ]);
      expect(problemsOf({ TRUST_PROXY: '10.0.0.1,proxy.internal,10.0.0.0/33' })).toEqual([
        'TRUST_PROXY: must be true, false, a hop count or addresses/CIDRs, got "proxy.internal,10.0.0.0/33"',
      ]);
      expect(problemsOf({ TRUST_PROXY: ' , ' })).toHaveLength(1);
    });
  });
});

describe('rules across variables', () => {
  it('requires a metalpriceapi key only when that provider is chosen', () => {
    expect(() => loadConfig({ MARKET_PROVIDER: 'metalpriceapi' })).toThrow(
      /METALPRICEAPI_KEY: is required when MARKET_PROVIDER=metalpriceapi/,
    );
    expect(
      loadConfig({ MARKET_PROVIDER: 'metalpriceapi', METALPRICEAPI_KEY: 'k' }).market.provider,
    ).toBe('metalpriceapi');
    expect(loadConfig({}).market.metalpriceapi.key).toBe('');
  });
});

describe('telemetry', () => {
  it('is off when unset and takes only http(s) URLs when set', () => {
    expect(loadConfig({}).telemetry).toEqual({
      otlpEndpoint: '',
      sentryDsn: '',
      sentryEnvironment: 'production',
    });
    expect(
      loadConfig({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector:4318',
        SENTRY_DSN: 'https://key@o1.ingest.sentry.io/42',
      }).telemetry,
    ).toMatchObject({
      otlpEndpoint: 'http://otel-collector:4318',
      sentryDsn: 'https://key@o1.ingest.sentry.io/42',
    });
    expect(problemsOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'otel-collector:4318' })).toEqual([
      'OTEL_EXPORTER_OTLP_ENDPOINT: must use http: or https:, got "otel-collector:"',
    ]);
  });
});
