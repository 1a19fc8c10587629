import { CONFIG_VARS, type ConfigValues } from './config.schema';
import { isParseError } from './config.vars';

export type Env = Record<string, string | undefined>;

/** Raised at boot with every problem at once, so one restart fixes them all. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** The typed configuration every module receives through dependency injection. */
export interface AppConfig {
  env: ConfigValues['NODE_ENV'];
  http: {
    host: string;
    apiPort: number;
    workerPort: number;
    apiMetricsPort: number;
    workerMetricsPort: number;
    corsOrigins: string[];
    keepAliveTimeoutMs: number;
    bodyLimitBytes: number;
    trustProxy: boolean | number | string[];
  };
  database: { url: string; poolSize: number; connectTimeoutMs: number; statementTimeoutMs: number };
  /** What `db:migrate` runs with, instead of the apps' statement timeout. */
  migrations: { lockTimeoutMs: number; lockRetries: number; statementTimeoutMs: number };
  redis: { url: string; keyPrefix: string };
  log: { level: ConfigValues['LOG_LEVEL'] };
  auth: {
    jwtSecret: string;
    accessTtlSeconds: number;
    refreshTtlSeconds: number;
    maxFailedLogins: number;
    lockoutSeconds: number;
    revocationPollMs: number;
  };
  rateLimit: { perMinute: number; authPerMinute: number };
  idempotency: { ttlHours: number; purgeIntervalSeconds: number };
  outbox: { relayIntervalMs: number; reconcileAfterMs: number; retentionDays: number };
  telemetry: { otlpEndpoint: string; sentryDsn: string; sentryEnvironment: string };
  /** Serve the read-only Bull Board on the api (QUEUE_BOARD, resolved against NODE_ENV). */
  queueBoard: boolean;
  shutdown: { drainDelayMs: number; timeoutMs: number };
  ledger: {
    hotAccountShards: number;
    keyedTransfersInFlight: number;
    pendingSweepIntervalSeconds: number;
    verifyIntervalSeconds: number;
  };
  market: {
    provider: ConfigValues['MARKET_PROVIDER'];
    simSeed: number;
    simTicksPerSecond: number;
    metalpriceapi: { url: string; key: string; pollMs: number };
    binanceWsUrl: string;
    leaseTtlMs: number;
    candleFlushMs: number;
    tickRetentionHours: number;
    maxConnectionsPerIp: number;
  };
  seed: { adminEmail: string; adminPassword: string; userEmail: string; userPassword: string };
}

function readValues(env: Env): ConfigValues {
  const problems: string[] = [];
  const values: Record<string, unknown> = {};
  const production = env.NODE_ENV === 'production';
  for (const [name, spec] of Object.entries(CONFIG_VARS)) {
    const given = env[name];
    const raw = given === undefined || given === '' ? undefined : given;
    if (production && 'requiredInProduction' in spec && spec.requiredInProduction) {
      if (raw === undefined) {
        problems.push(`${name}: is required in production (${spec.description})`);
        continue;
      }
      if (raw === spec.default) {
        problems.push(`${name}: must not be the development default in production`);
        continue;
      }
    }
    const effective = raw ?? spec.default;
    if (effective === undefined) {
      problems.push(`${name}: is required (${spec.description})`);
      continue;
    }
    try {
      values[name] = spec.parse(effective);
    } catch (error) {
      if (!isParseError(error)) {
        throw error;
      }
      problems.push(`${name}: ${error.message}`);
    }
  }
  // Rules that span variables.
  if (values.MARKET_PROVIDER === 'metalpriceapi' && !values.METALPRICEAPI_KEY) {
    problems.push('METALPRICEAPI_KEY: is required when MARKET_PROVIDER=metalpriceapi');
  }
  if (problems.length > 0) {
    throw new ConfigError(problems);
  }

  return values as ConfigValues;
}

/** Reads and validates the environment; throws ConfigError listing every problem. */
export function loadConfig(env: Env = process.env): AppConfig {
  const v = readValues(env);

  return {
    env: v.NODE_ENV,
    http: {
      host: v.HOST,
      apiPort: v.API_PORT,
      workerPort: v.WORKER_PORT,
      apiMetricsPort: v.API_METRICS_PORT,
      workerMetricsPort: v.WORKER_METRICS_PORT,
      corsOrigins: v.CORS_ORIGINS,
      keepAliveTimeoutMs: v.HTTP_KEEP_ALIVE_TIMEOUT_MS,
      bodyLimitBytes: v.BODY_LIMIT_BYTES,
      trustProxy: v.TRUST_PROXY,
    },
    database: {
      url: v.DATABASE_URL,
      poolSize: v.DATABASE_POOL_SIZE,
      connectTimeoutMs: v.DATABASE_CONNECT_TIMEOUT_MS,
      statementTimeoutMs: v.DATABASE_STATEMENT_TIMEOUT_MS,
    },
    migrations: {
      lockTimeoutMs: v.MIGRATION_LOCK_TIMEOUT_MS,
      lockRetries: v.MIGRATION_LOCK_RETRIES,
      statementTimeoutMs: v.MIGRATION_STATEMENT_TIMEOUT_MS,
    },
    redis: { url: v.REDIS_URL, keyPrefix: v.REDIS_KEY_PREFIX },
    log: { level: v.LOG_LEVEL },
    auth: {
      jwtSecret: v.JWT_SECRET,
      accessTtlSeconds: v.JWT_ACCESS_TTL_SECONDS,
      refreshTtlSeconds: v.JWT_REFRESH_TTL_SECONDS,
      maxFailedLogins: v.AUTH_MAX_FAILED_LOGINS,
      lockoutSeconds: v.AUTH_LOCKOUT_SECONDS,
      revocationPollMs: v.AUTH_REVOCATION_POLL_MS,
    },
    rateLimit: { perMinute: v.RATE_LIMIT_PER_MINUTE, authPerMinute: v.AUTH_RATE_LIMIT_PER_MINUTE },
    idempotency: {
      ttlHours: v.IDEMPOTENCY_TTL_HOURS,
      purgeIntervalSeconds: v.IDEMPOTENCY_PURGE_INTERVAL_SECONDS,
    },
    outbox: {
      relayIntervalMs: v.OUTBOX_RELAY_INTERVAL_MS,
      reconcileAfterMs: v.OUTBOX_RECONCILE_AFTER_MS,
      retentionDays: v.OUTBOX_RETENTION_DAYS,
    },
    telemetry: {
      otlpEndpoint: v.OTEL_EXPORTER_OTLP_ENDPOINT,
      sentryDsn: v.SENTRY_DSN,
      sentryEnvironment: v.SENTRY_ENVIRONMENT,
    },
    queueBoard: v.QUEUE_BOARD === 'auto' ? v.NODE_ENV !== 'production' : v.QUEUE_BOARD === 'on',
    shutdown: { drainDelayMs: v.SHUTDOWN_DRAIN_DELAY_MS, timeoutMs: v.SHUTDOWN_TIMEOUT_MS },
    ledger: {
      hotAccountShards: v.LEDGER_HOT_ACCOUNT_SHARDS,
      keyedTransfersInFlight: v.LEDGER_KEYED_TRANSFERS_IN_FLIGHT,
      pendingSweepIntervalSeconds: v.LEDGER_PENDING_SWEEP_INTERVAL_SECONDS,
      verifyIntervalSeconds: v.LEDGER_VERIFY_INTERVAL_SECONDS,
    },
    market: {
      provider: v.MARKET_PROVIDER,
      simSeed: v.MARKET_SIM_SEED,
      simTicksPerSecond: v.MARKET_SIM_TICKS_PER_SECOND,
      metalpriceapi: {
        url: v.METALPRICEAPI_URL,
        key: v.METALPRICEAPI_KEY,
        pollMs: v.METALPRICEAPI_POLL_MS,
      },
      binanceWsUrl: v.BINANCE_WS_URL,
      leaseTtlMs: v.MARKET_LEASE_TTL_MS,
      candleFlushMs: v.MARKET_CANDLE_FLUSH_MS,
      tickRetentionHours: v.MARKET_TICK_RETENTION_HOURS,
      maxConnectionsPerIp: v.PRICES_MAX_CONNECTIONS_PER_IP,
    },
    seed: {
      adminEmail: v.SEED_ADMIN_EMAIL,
      adminPassword: v.SEED_ADMIN_PASSWORD,
      userEmail: v.SEED_USER_EMAIL,
      userPassword: v.SEED_USER_PASSWORD,
    },
  };
}
