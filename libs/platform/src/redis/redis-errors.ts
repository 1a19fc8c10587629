/**
 * True when a Redis command failed because the server is out of reach: ioredis gave up after
 * `maxRetriesPerRequest` reconnections, or the client was already closed. The api answers these
 * with 503 and Retry-After, as it does a database that is away.
 */
export function isRedisUnavailableError(error: unknown): boolean {
  return (
    error instanceof Error &&
    (error.name === 'MaxRetriesPerRequestError' || error.message === 'Connection is closed.')
  );
}
