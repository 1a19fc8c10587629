import { ConfigError, loadConfig, type Env } from './config';
import { configTable } from './config.docs';
import { CONFIG_VARS } from './config.schema';
import { configSection } from './config.section';
import { int, oneOf, str } from './config.vars';

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

// A lib's section as a lib declares it in its own `<name>.config.ts`.
const MAIL_CONFIG = configSection({
  key: 'mail',
  vars: {
    MAIL_TRANSPORT: oneOf(['smtp', 'log'] as const, {
      default: 'log',
      description: 'Where mail goes.',
    }),
    MAIL_SMTP_URL: str({ default: '', minLength: 0, secret: true, description: 'SMTP server.' }),
    MAIL_BATCH_SIZE: int({ default: '50', min: 1, description: 'Mails sent per batch.' }),
  },
  read: (v) => ({
    transport: v.MAIL_TRANSPORT,
    smtpUrl: v.MAIL_SMTP_URL,
    batch: v.MAIL_BATCH_SIZE,
  }),
  check: (v) =>
    v.MAIL_TRANSPORT === 'smtp' && !v.MAIL_SMTP_URL
      ? ['MAIL_SMTP_URL: is required when MAIL_TRANSPORT=smtp']
      : [],
});

const sectionProblemsOf = (env: Env): string[] => {
  try {
    loadConfig(env, [MAIL_CONFIG]);
  } catch (error) {
    if (error instanceof ConfigError) {
      return error.problems;
    }
    throw error;
  }
  throw new Error('expected a ConfigError');
};

describe('config sections of libs', () => {
  it("puts a lib's settings under its key, beside the platform's", () => {
    const config = loadConfig({ MAIL_BATCH_SIZE: '10' }, [MAIL_CONFIG]);
    expect(config.mail).toEqual({ transport: 'log', smtpUrl: '', batch: 10 });
    expect(config.http.apiPort).toBe(3000);
    expect('mail' in loadConfig({})).toBe(false);
  });

  it("names a lib's bad variable in the one boot error, after the platform's", () => {
    expect(
      sectionProblemsOf({ API_PORT: 'x', MAIL_BATCH_SIZE: '0', MAIL_TRANSPORT: 'fax' }),
    ).toEqual([
      'API_PORT: must be an integer, got "x"',
      'MAIL_TRANSPORT: must be one of smtp, log, got "fax"',
      'MAIL_BATCH_SIZE: must be >= 1, got 0',
    ]);
  });

  it("runs a lib's rules across its variables once they parse", () => {
    expect(sectionProblemsOf({ MAIL_TRANSPORT: 'smtp' })).toEqual([
      'MAIL_SMTP_URL: is required when MAIL_TRANSPORT=smtp',
    ]);
    expect(
      loadConfig({ MAIL_TRANSPORT: 'smtp', MAIL_SMTP_URL: 'smtp://mx' }, [MAIL_CONFIG]).mail,
    ).toEqual({ transport: 'smtp', smtpUrl: 'smtp://mx', batch: 50 });
  });

  it("holds a lib's variables to the production rules", () => {
    const strict = configSection({
      key: 'strict',
      vars: {
        STRICT_TOKEN: str({
          default: 'dev-token',
          requiredInProduction: true,
          secret: true,
          description: 'A token.',
        }),
      },
      read: (v) => v.STRICT_TOKEN,
    });
    expect(() =>
      loadConfig({ NODE_ENV: 'production', JWT_SECRET: PRODUCTION_SECRET }, [strict]),
    ).toThrow(/STRICT_TOKEN: is required in production/);
  });

  it('composes a section once however often it is listed, and refuses two claiming a name', () => {
    expect(loadConfig({}, [MAIL_CONFIG, MAIL_CONFIG]).mail.batch).toBe(50);
    const thief = configSection({
      key: 'thief',
      vars: { API_PORT: int({ default: '1', description: 'Taken.' }) },
      read: (v) => v.API_PORT,
    });
    expect(() => loadConfig({}, [thief])).toThrow(
      'Config section "thief" redeclares API_PORT of "platform"',
    );
    const twin = configSection({ key: 'mail', vars: {}, read: () => ({}) });
    expect(() => loadConfig({}, [MAIL_CONFIG, twin])).toThrow(/redeclares key mail/);
    const squatter = configSection({ key: 'http', vars: {}, read: () => ({}) });
    expect(() => loadConfig({}, [squatter])).toThrow("may not use the platform's keys: http");
  });

  it("lists a lib's variables in the README table, after the platform's, secrets hidden", () => {
    const table = configTable([MAIL_CONFIG]).split('\n');
    const names = table.map((row) => /^\| `([A-Z_]+)`/.exec(row)?.[1]).filter(Boolean);
    expect(names).toEqual([...Object.keys(CONFIG_VARS), ...Object.keys(MAIL_CONFIG.vars)]);
    expect(table).toContain('| `MAIL_BATCH_SIZE` | `50` | Mails sent per batch. |');
    expect(table).toContain('| `MAIL_SMTP_URL` | dev value | SMTP server. |');
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
