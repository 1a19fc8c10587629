import type { FastifyReply, FastifyRequest } from 'fastify';

/** Every method a route of ours answers, so a browser may call each of them cross-origin. */
const ALLOWED_METHODS = 'GET, HEAD, POST, PUT, PATCH, DELETE';
/** Response headers a browser script may read: request id, rate-limit back-off, replays. */
const EXPOSED_HEADERS = 'x-request-id, retry-after, idempotent-replayed';
/** Seconds a browser may cache a preflight answer (Chromium caps it at 7200). */
const PREFLIGHT_MAX_AGE = '600';

/**
 * CORS for CORS_ORIGINS (`*` admits any origin), applied in the platform's request hook.
 * Nest's `enableCors()` ran @fastify/cors and then copied every reply header onto the raw response
 * on each request, one of the largest costs of a trivial route (bench/http). With a fixed
 * policy a request without an Origin header costs nothing beyond `Vary: Origin`, which the
 * response carries anyway (the allowed origin is reflected, so responses vary by it).
 */
export class CorsPolicy {
  private readonly anyOrigin: boolean;
  private readonly origins: ReadonlySet<string>;

  constructor(origins: readonly string[]) {
    this.anyOrigin = origins.includes('*');
    this.origins = new Set(origins);
  }

  /**
   * Grants an allowed origin; answers its preflight (204, the reply is sent) and returns true
   * then. A refused origin gets no CORS header at all, which browsers treat as a refusal.
   */
  answer(request: FastifyRequest, reply: FastifyReply): boolean {
    const { origin } = request.headers;
    // `null` is what sandboxed iframes and file: pages send: granting it grants any of them.
    if (
      origin === undefined ||
      origin === 'null' ||
      !(this.anyOrigin || this.origins.has(origin))
    ) {
      return false;
    }
    void reply.header('access-control-allow-origin', origin);
    if (request.method !== 'OPTIONS' || !request.headers['access-control-request-method']) {
      void reply.header('access-control-expose-headers', EXPOSED_HEADERS);

      return false;
    }
    const requestedHeaders = request.headers['access-control-request-headers'];
    void reply.headers({
      'access-control-allow-methods': ALLOWED_METHODS,
      'access-control-max-age': PREFLIGHT_MAX_AGE,
      vary: 'Origin, Access-Control-Request-Headers',
    });
    if (requestedHeaders) {
      void reply.header('access-control-allow-headers', requestedHeaders);
    }
    void reply.code(204).send();

    return true;
  }
}
