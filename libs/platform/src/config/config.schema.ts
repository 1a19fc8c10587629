import { int, list, oidcProviders, oneOf, str, trustProxy, url, type VarSpec } from './config.vars';

const DEV_JWT_SECRET = 'dev-only-secret-change-me-0123456789abcdef';

/**
 * The platform's variables, in the order the README table lists them. A lib declares its own in
 * a config section (`configSection` in its `<name>.config.ts`); the apps compose those.
 */
export const CONFIG_VARS = {
  NODE_ENV: oneOf(['development', 'test', 'production'] as const, {
    default: 'development',
    description: 'Runtime mode; `production` refuses development defaults for secrets.',
  }),
  HOST: str({ default: '0.0.0.0', description: 'Interface the HTTP servers bind to.' }),
  API_PORT: int({
    default: '3000',
    min: 0,
    max: 65535,
    description: 'Port of the api (REST, Socket.IO, /docs, /health).',
  }),
  WORKER_PORT: int({
    default: '3001',
    min: 0,
    max: 65535,
    description: 'Port of the worker health server.',
  }),
  API_METRICS_PORT: int({
    default: '3002',
    min: 0,
    max: 65535,
    description:
      "Port serving only the api's Prometheus /metrics, apart from the public port so an ingress never exposes it.",
  }),
  WORKER_METRICS_PORT: int({
    default: '3003',
    min: 0,
    max: 65535,
    description: "Port serving only the worker's Prometheus /metrics.",
  }),
  DATABASE_URL: url(['postgres:', 'postgresql:'], {
    default: 'postgres://postgres@127.0.0.1:5432/bourse',
    description: 'PostgreSQL connection string (system of record).',
    secret: true,
  }),
  DATABASE_POOL_SIZE: int({
    default: '10',
    min: 1,
    max: 200,
    description: 'Connections per process in the Postgres pool.',
  }),
  DATABASE_CONNECT_TIMEOUT_MS: int({
    default: '5000',
    min: 100,
    description:
      'Longest wait for a Postgres connection (new or from the pool); boot fails after it instead of hanging.',
  }),
  DATABASE_STATEMENT_TIMEOUT_MS: int({
    default: '15000',
    min: 0,
    description: 'Postgres statement_timeout for every pooled connection.',
  }),
  MIGRATION_LOCK_TIMEOUT_MS: int({
    default: '5000',
    min: 100,
    description:
      'lock_timeout of `db:migrate`: a migration waiting this long for a table lock (behind live traffic) gives up and is retried, instead of queueing every query behind it.',
  }),
  MIGRATION_LOCK_RETRIES: int({
    default: '5',
    min: 1,
    max: 100,
    description:
      'Attempts of `db:migrate` when a migration times out on a lock (backing off 1 s, 2 s, ...).',
  }),
  MIGRATION_STATEMENT_TIMEOUT_MS: int({
    default: '300000',
    min: 0,
    description:
      "statement_timeout of `db:migrate` (0: none), apart from the apps' DATABASE_STATEMENT_TIMEOUT_MS: a backfill or index build may take minutes.",
  }),
  REDIS_URL: url(['redis:', 'rediss:'], {
    default: 'redis://127.0.0.1:6379',
    description: 'Redis connection string (cache, rate limits, pub/sub, Bull broker).',
    secret: true,
  }),
  REDIS_KEY_PREFIX: str({
    default: 'bourse',
    description: 'Prefix of every Redis key and Bull queue, so deployments can share a Redis.',
  }),
  LOG_LEVEL: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, {
    default: 'info',
    description: 'Minimum level of the JSON logs on stdout.',
  }),
  CORS_ORIGINS: list({
    default: '*',
    description: 'Comma-separated origins allowed by CORS; `*` allows any.',
  }),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: int({
    default: '72000',
    min: 1000,
    description:
      "How long an idle keep-alive connection stays open; must outlive the load balancer's idle timeout (else it reuses a connection the api just closed: sporadic 502s).",
  }),
  BODY_LIMIT_BYTES: int({
    default: '1048576',
    min: 1024,
    description: 'Largest accepted request body.',
  }),
  TRUST_PROXY: trustProxy({
    default: 'false',
    description:
      '`true`, `false`, a hop count or comma-separated addresses/CIDRs of trusted proxies (client IP for rate limits and logs).',
  }),
  JWT_SECRET: str({
    default: DEV_JWT_SECRET,
    minLength: 32,
    requiredInProduction: true,
    secret: true,
    description: 'HMAC key signing access tokens (at least 32 characters).',
  }),
  JWT_ACCESS_TTL_SECONDS: int({
    default: '900',
    min: 30,
    description: 'Lifetime of an access token.',
  }),
  JWT_REFRESH_TTL_SECONDS: int({
    default: '2592000',
    min: 60,
    description: 'Lifetime of a refresh token (and its rotation family).',
  }),
  RATE_LIMIT_PER_MINUTE: int({
    default: '600',
    min: 1,
    description: 'Requests per minute per client IP on ordinary routes.',
  }),
  AUTH_RATE_LIMIT_PER_MINUTE: int({
    default: '20',
    min: 1,
    description: 'Requests per minute per client IP on /v1/auth routes.',
  }),
  WEBHOOK_RATE_LIMIT_PER_MINUTE: int({
    default: '6000',
    min: 1,
    description:
      'Requests per minute per sender IP on each provider webhook route (instead of RATE_LIMIT_PER_MINUTE).',
  }),
  SOCKET_EVENTS_PER_SECOND: int({
    default: '20',
    min: 1,
    description:
      'Events per second one Socket.IO connection may send to a namespace (bursts up to the same number); beyond it an event is refused (`socket.rate_limited` in its ack).',
  }),
  AUTH_MAX_FAILED_LOGINS: int({
    default: '10',
    min: 1,
    description:
      'Failed sign-ins for one email (from any IP) after which it is refused until AUTH_LOCKOUT_SECONDS have passed since the first.',
  }),
  AUTH_LOCKOUT_SECONDS: int({
    default: '900',
    min: 1,
    description: 'Window over which failed sign-ins per email are counted, and the lockout lasts.',
  }),
  AUTH_REVOCATION_POLL_MS: int({
    default: '1000',
    min: 100,
    description:
      'How often each process reads the sessions ended elsewhere (logout, password change, disabled user), whose access tokens it then refuses.',
  }),
  AUTH_STEP_UP: oneOf(['enrolled', 'always'] as const, {
    default: 'enrolled',
    description:
      'Who must prove a second factor before routes marked @RequireStepUp(): `enrolled` (users who turned two-factor on) or `always` (every user; those without it must enrol first).',
  }),
  AUTH_STEP_UP_MAX_AGE_SECONDS: int({
    default: '300',
    min: 10,
    description: 'How long a second-factor proof (sign-in or step-up) satisfies @RequireStepUp().',
  }),
  AUTH_EMAIL_VERIFY_TTL_SECONDS: int({
    default: '86400',
    min: 60,
    description: 'Lifetime of an e-mail verification link.',
  }),
  AUTH_PASSWORD_RESET_TTL_SECONDS: int({
    default: '3600',
    min: 60,
    description: 'Lifetime of a password reset link.',
  }),
  AUTH_EMAIL_RESEND_SECONDS: int({
    default: '60',
    min: 0,
    description:
      'Least time between two verification or reset e-mails to one address (a resend sooner is refused, a reset request answered alike but not sent).',
  }),
  AUTH_EMAIL_LINK_URL: url(['http:', 'https:'], {
    default: 'http://127.0.0.1:3000/app',
    description:
      'Base of the links in verification and reset e-mails (`<url>/verify-email?token=…`, `<url>/reset-password?token=…`): the web app.',
  }),
  AUTH_OIDC_PROVIDERS: oidcProviders({
    default: '[]',
    description:
      'External OpenID Connect providers whose RS256/ES256 access tokens are accepted: a JSON array of `{ "issuer", "audience", "jwksUrl", "rolesClaim"? }` (Auth0, Clerk, Firebase Auth, Okta; see the platform README).',
  }),
  AUTH_OIDC_CLOCK_SKEW_SECONDS: int({
    default: '60',
    min: 0,
    max: 600,
    description: "Clock difference tolerated on an external token's exp, nbf and iat.",
  }),
  AUTH_OIDC_JWKS_COOLDOWN_SECONDS: int({
    default: '30',
    min: 0,
    description:
      "Least time between two fetches of a provider's JWKS (a token with an unknown key id fetches it again, so rotated keys are picked up).",
  }),
  IDEMPOTENCY_TTL_HOURS: int({
    default: '24',
    min: 1,
    description: 'How long an Idempotency-Key is remembered.',
  }),
  IDEMPOTENCY_PURGE_INTERVAL_SECONDS: int({
    default: '3600',
    min: 1,
    description: 'How often the worker schedules the purge of expired idempotency keys.',
  }),
  OUTBOX_RELAY_INTERVAL_MS: int({
    default: '250',
    min: 10,
    description: 'Worker outbox relay poll interval.',
  }),
  OUTBOX_RECONCILE_AFTER_MS: int({
    default: '30000',
    min: 100,
    description:
      'Age after which an enqueued, unfinished outbox job is checked in Redis and re-enqueued if lost.',
  }),
  OUTBOX_RETENTION_DAYS: int({
    default: '7',
    min: 1,
    description:
      'How long finished outbox rows are kept (a job id can run again once its row is purged).',
  }),
  OTEL_EXPORTER_OTLP_ENDPOINT: url(['http:', 'https:'], {
    default: '',
    description:
      'OTLP/HTTP collector base URL (traces go to `<url>/v1/traces`); unset, no tracing code is loaded.',
  }),
  SENTRY_DSN: url(['http:', 'https:'], {
    default: '',
    secret: true,
    description:
      'Sentry DSN receiving unhandled 500s and jobs failed for good (scrubbed of secrets and PII); unset, Sentry is not loaded.',
  }),
  SENTRY_ENVIRONMENT: str({
    default: 'production',
    description: 'Environment name on Sentry events (production, staging, ...).',
  }),
  QUEUE_BOARD: oneOf(['auto', 'on', 'off'] as const, {
    default: 'auto',
    description:
      'Bull Board (read-only, admins only) at /admin/queues on the api: `auto` serves it except in production.',
  }),
  SHUTDOWN_DRAIN_DELAY_MS: int({
    default: '0',
    min: 0,
    description:
      'After SIGTERM, time readiness reports 503 before the server stops accepting (lets load balancers deregister).',
  }),
  SHUTDOWN_TIMEOUT_MS: int({
    default: '25000',
    min: 1000,
    description: 'Longest a graceful shutdown may take before the process exits anyway.',
  }),
} satisfies Record<string, VarSpec<unknown>>;

export type ConfigVars = typeof CONFIG_VARS;
export type ConfigValues = { [K in keyof ConfigVars]: ReturnType<ConfigVars[K]['parse']> };
