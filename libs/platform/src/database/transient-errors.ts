import { QueryFailedError } from 'typeorm';

/** SQLSTATEs that say "not now" rather than "not this request": a retry may succeed. */
const TRANSIENT_SQLSTATES = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '55P03', // lock_not_available
  '57014', // query_canceled (statement_timeout)
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, in recovery)
]);
const TRANSIENT_SQLSTATE_CLASSES = ['08', '53']; // connection exception, insufficient resources

/** Socket errors of a connection to Postgres that went away or never came. */
const TRANSIENT_SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
]);

/**
 * node-postgres' own errors carry no code: a pool with every connection busy past
 * DATABASE_CONNECT_TIMEOUT_MS, and a connection that dropped or timed out while connecting.
 */
const TRANSIENT_DRIVER_MESSAGES = [
  /^timeout exceeded when trying to connect$/,
  /^Connection terminated( unexpectedly| due to connection timeout)?$/,
];

/**
 * The code node-postgres put on a failed statement or connection, whether TypeORM wrapped it or
 * not: a SQLSTATE (`23505`) or a socket error (`ECONNREFUSED`).
 */
export function driverCodeOf(error: unknown): string | undefined {
  const cause: unknown = error instanceof QueryFailedError ? error.driverError : error;
  const code = cause instanceof Error ? (cause as { code?: unknown }).code : undefined;

  return typeof code === 'string' ? code : undefined;
}

/** The unique constraint a failed statement violated (SQLSTATE 23505), if that is why it failed. */
export function uniqueViolationOf(error: unknown): string | undefined {
  if (!(error instanceof QueryFailedError) || driverCodeOf(error) !== '23505') {
    return undefined;
  }
  const { constraint } = error.driverError as { constraint?: unknown };

  return typeof constraint === 'string' ? constraint : '';
}

/**
 * True for a database failure that is the server's momentary state (pool exhausted, Postgres
 * restarting, statement timeout, deadlock), which the api answers with 503 and Retry-After
 * instead of 500: the client may retry, safely when it sent an Idempotency-Key.
 */
export function isTransientDatabaseError(error: unknown): boolean {
  const code = driverCodeOf(error);
  if (code !== undefined) {
    return (
      TRANSIENT_SQLSTATES.has(code) ||
      (code.length === 5 && TRANSIENT_SQLSTATE_CLASSES.includes(code.slice(0, 2))) ||
      TRANSIENT_SOCKET_CODES.has(code)
    );
  }

  return (
    error instanceof Error &&
    TRANSIENT_DRIVER_MESSAGES.some((pattern) => pattern.test(error.message))
  );
}
