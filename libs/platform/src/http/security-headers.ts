import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet, { type HelmetOptions } from 'helmet';

/** Response headers by lower-case name, as Fastify's `reply.headers()` takes them. */
export type HeaderSet = Readonly<Record<string, string>>;

/**
 * The headers helmet sets with `options`, recorded once at boot. They never depend on the request
 * (no CSP nonces), so a response copies a frozen object instead of running helmet's dozen
 * middlewares, which re-validate every header on every request.
 */
export function helmetHeaders(options: HelmetOptions): HeaderSet {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader: (name: string, value: string | number) => {
      headers[name.toLowerCase()] = String(value);
    },
    removeHeader: (name: string) => {
      delete headers[name.toLowerCase()];
    },
  };
  let finished = false;
  // helmet 8 throws on bad options instead of passing an error to `next`.
  helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, () => {
    finished = true;
  });
  if (!finished) {
    throw new Error('helmet did not finish synchronously; its headers cannot be precomputed');
  }

  return Object.freeze(headers);
}

/**
 * JSON responses: the OWASP REST Security Cheat Sheet's set. Nothing is ever rendered from them,
 * so the policy forbids every resource and framing, and `no-store` keeps balances, tokens and
 * statements out of shared caches (a route that may be cached sets its own Cache-Control).
 */
export const API_HEADERS: HeaderSet = Object.freeze({
  ...helmetHeaders({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: { defaultSrc: [`'none'`], frameAncestors: [`'none'`] },
    },
    xFrameOptions: { action: 'deny' },
    crossOriginOpenerPolicy: false,
    crossOriginResourcePolicy: false,
    originAgentCluster: false,
    referrerPolicy: false,
    xDnsPrefetchControl: false,
    xDownloadOptions: false,
    xPermittedCrossDomainPolicies: false,
    xXssProtection: false,
  }),
  'cache-control': 'no-store',
});

/** Swagger UI is an HTML page: helmet's full set, with the inline styles and scripts it needs. */
export const DOCS_HEADERS: HeaderSet = helmetHeaders({
  contentSecurityPolicy: {
    directives: {
      defaultSrc: [`'self'`],
      styleSrc: [`'self'`, `'unsafe-inline'`],
      imgSrc: [`'self'`, 'data:', 'validator.swagger.io'],
      scriptSrc: [`'self'`, `'unsafe-inline'`],
    },
  },
});

/**
 * The web app (apps/web, under /app): same-origin scripts, styles, images and connections (REST
 * and the Socket.IO WebSocket), plus the `connectSrc` origins the app composing this lib names
 * (the bucket the browser POSTs uploads to); no inline script. Cache-Control is set per file
 * where it is served: hashed assets are immutable, index.html is revalidated.
 */
export function webAppHeaders(connectSrc: readonly string[] = []): HeaderSet {
  return helmetHeaders({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: [`'self'`],
        scriptSrc: [`'self'`],
        styleSrc: [`'self'`],
        imgSrc: [`'self'`, 'data:'],
        connectSrc: [`'self'`, ...new Set(connectSrc)],
        objectSrc: [`'none'`],
        baseUri: [`'self'`],
        formAction: [`'self'`],
        frameAncestors: [`'none'`],
      },
    },
    xFrameOptions: { action: 'deny' },
  });
}

/** `prefix`, `prefix/…` or `prefix?…`, not a longer name that merely starts with it. */
const isUnder =
  (prefix: string) =>
  (url: string): boolean =>
    url.startsWith(prefix) &&
    (url.length === prefix.length || url[prefix.length] === '/' || url[prefix.length] === '?');

/** `/docs`, `/docs/`, `/docs/swagger-ui.css`, … (the document at /openapi.json is JSON). */
export const isDocsPath = isUnder('/docs');

/** `/app`, `/app/`, `/app/assets/…`, `/app/sign-in`, … */
export const isWebAppPath = isUnder('/app');

/**
 * HTML pages the api serves, which get DOCS_HEADERS: Swagger UI, and Bull Board at /admin/queues
 * (when QUEUE_BOARD turns it on). The web app under /app has its own set; everything else is JSON
 * under API_HEADERS.
 */
export const isPagePath = (url: string): boolean =>
  isDocsPath(url) || isUnder('/admin/queues')(url);
