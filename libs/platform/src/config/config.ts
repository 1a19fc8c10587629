import { CONFIG_VARS, type ConfigValues } from './config.schema';
import type { AnyConfigSection, SectionsConfig, VarSpecs } from './config.section';
import { isParseError, type OidcProvider } from './config.vars';

export type Env = Record<string, string | undefined>;

/** Raised at boot with every problem at once, so one restart fixes them all. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * The platform's typed configuration every module receives through dependency injection. A lib's
 * settings sit beside it under their section's key (`config.mail`) once the app composed them.
 */
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
    stepUp: { policy: 'enrolled' | 'always'; maxAgeSeconds: number };
    email: {
      verifyTtlSeconds: number;
      resetTtlSeconds: number;
      resendSeconds: number;
      linkUrl: string;
    };
    oidc: { providers: OidcProvider[]; clockSkewSeconds: number; jwksCooldownSeconds: number };
  };
  rateLimit: { perMinute: number; authPerMinute: number; webhookPerMinute: number };
  sockets: { eventsPerSecond: number };
  idempotency: { ttlHours: number; purgeIntervalSeconds: number };
  outbox: { relayIntervalMs: number; reconcileAfterMs: number; retentionDays: number };
  telemetry: { otlpEndpoint: string; sentryDsn: string; sentryEnvironment: string };
  /** Serve the read-only Bull Board on the api (QUEUE_BOARD, resolved against NODE_ENV). */
  queueBoard: boolean;
  shutdown: { drainDelayMs: number; timeoutMs: number };
}

/** Parses `vars` from `env`, adding what is wrong to `problems`; undefined if anything was. */
function readValues(
  env: Env,
  vars: VarSpecs,
  problems: string[],
): Record<string, unknown> | undefined {
  const values: Record<string, unknown> = {};
  const before = problems.length;
  const production = env.NODE_ENV === 'production';
  for (const [name, spec] of Object.entries(vars)) {
    const given = env[name];
    const raw = given === undefined || given === '' ? undefined : given;
    if (production && spec.requiredInProduction) {
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

  return problems.length === before ? values : undefined;
}

/** The sections, each once; two claiming one key or one variable is a programming error. */
function distinct(sections: readonly AnyConfigSection[]): AnyConfigSection[] {
  const unique = [...new Set(sections)];
  const owners = new Map<string, string>(
    Object.keys(CONFIG_VARS).map((name) => [name, 'platform']),
  );
  for (const section of unique) {
    for (const name of [`key ${section.key}`, ...Object.keys(section.vars)]) {
      const owner = owners.get(name);
      if (owner !== undefined) {
        throw new Error(`Config section "${section.key}" redeclares ${name} of "${owner}"`);
      }
      owners.set(name, section.key);
    }
  }

  return unique;
}

/** Every variable the platform and `sections` read, in README order: the platform's first. */
export function configVars(sections: readonly AnyConfigSection[] = []): VarSpecs {
  return Object.assign({}, CONFIG_VARS, ...distinct(sections).map((section) => section.vars));
}

/**
 * Reads and validates the environment for the platform and the libs' `sections` an app composes;
 * throws one ConfigError listing every problem of all of them.
 */
export function loadConfig<const Sections extends readonly AnyConfigSection[] = []>(
  env: Env = process.env,
  sections: Sections = [] as unknown as Sections,
): AppConfig & SectionsConfig<Sections> {
  const problems: string[] = [];
  const platform = readValues(env, CONFIG_VARS, problems) as ConfigValues | undefined;
  const composed: Record<string, unknown> = {};
  for (const section of distinct(sections)) {
    const values = readValues(env, section.vars, problems);
    // A section's own rules run once its variables parsed; its settings only if they hold.
    const broken = values ? (section.check?.(values) ?? []) : [];
    problems.push(...broken);
    if (values && broken.length === 0) {
      composed[section.key] = section.read(values);
    }
  }
  if (!platform || problems.length > 0) {
    throw new ConfigError(problems);
  }

  const settings = platformConfig(platform);
  const taken = Object.keys(composed).filter((key) => key in settings);
  if (taken.length > 0) {
    throw new Error(`Config sections may not use the platform's keys: ${taken.join(', ')}`);
  }

  return { ...settings, ...composed } as AppConfig & SectionsConfig<Sections>;
}

function platformConfig(v: ConfigValues): AppConfig {
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
      stepUp: { policy: v.AUTH_STEP_UP, maxAgeSeconds: v.AUTH_STEP_UP_MAX_AGE_SECONDS },
      email: {
        verifyTtlSeconds: v.AUTH_EMAIL_VERIFY_TTL_SECONDS,
        resetTtlSeconds: v.AUTH_PASSWORD_RESET_TTL_SECONDS,
        resendSeconds: v.AUTH_EMAIL_RESEND_SECONDS,
        linkUrl: v.AUTH_EMAIL_LINK_URL.replace(/\/+$/, ''),
      },
      oidc: {
        providers: v.AUTH_OIDC_PROVIDERS,
        clockSkewSeconds: v.AUTH_OIDC_CLOCK_SKEW_SECONDS,
        jwksCooldownSeconds: v.AUTH_OIDC_JWKS_COOLDOWN_SECONDS,
      },
    },
    rateLimit: {
      perMinute: v.RATE_LIMIT_PER_MINUTE,
      authPerMinute: v.AUTH_RATE_LIMIT_PER_MINUTE,
      webhookPerMinute: v.WEBHOOK_RATE_LIMIT_PER_MINUTE,
    },
    sockets: { eventsPerSecond: v.SOCKET_EVENTS_PER_SECOND },
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
  };
}
