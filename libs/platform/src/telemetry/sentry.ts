import * as Sentry from '@sentry/node';
import { REDACTED_KEYS } from '../logging/logger';
import { setErrorReporter, type ErrorReport } from './error-reporting';

/**
 * Keys whose values never reach error tracking, at any depth: the log's secrets plus personal
 * data a request or job may carry (identity documents, contact details).
 */
const SCRUBBED_KEYS = new Set(
  [
    ...REDACTED_KEYS,
    'passwordHash',
    'documentNumber',
    'document_number',
    'passportNumber',
    'nationalId',
    'taxId',
    'iban',
    'email',
    'phone',
    'dateOfBirth',
    'address',
    'proxy-authorization',
  ].map((key) => key.toLowerCase()),
);
const MAX_DEPTH = 8;

function scrub(value: unknown, depth: number): unknown {
  if (typeof value !== 'object' || value === null || depth > MAX_DEPTH) {
    return value;
  }
  if (Array.isArray(value)) {
    return value.map((item) => scrub(item, depth + 1));
  }
  const clean: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    clean[key] = SCRUBBED_KEYS.has(key.toLowerCase()) ? '[scrubbed]' : scrub(item, depth + 1);
  }

  return clean;
}

/**
 * The event as sent: no request body, cookies or query string (any can hold credentials or
 * personal data), no user but its id, every scrubbed key's value replaced.
 */
export function scrubEvent<T extends Sentry.ErrorEvent>(event: T): T {
  if (event.request) {
    delete event.request.data;
    delete event.request.cookies;
    delete event.request.query_string;
  }
  if (event.user) {
    event.user = event.user.id === undefined ? {} : { id: event.user.id };
  }

  return scrub(event, 0) as T;
}

/**
 * Starts Sentry error reporting (not tracing: spans go to OpenTelemetry, whose trace id the
 * events carry). Sentry's own Fastify integration is left out: it clashes with @fastify/otel,
 * and Nest's exception filter sees every error first anyway (ProblemFilter reports the 500s).
 */
export function startErrorReporting(options: {
  dsn: string;
  environment: string;
  service: string;
}): void {
  Sentry.init({
    dsn: options.dsn,
    environment: options.environment,
    // Collect nothing personal in the first place; scrubEvent catches what slips through.
    dataCollection: {
      userInfo: false,
      cookies: false,
      httpHeaders: false,
      httpBodies: [],
      urlQueryParams: false,
    },
    // Our log lines, with trace ids, are the breadcrumbs; Sentry's own would copy URLs and logs.
    maxBreadcrumbs: 0,
    // No module-loader hooks: Sentry records no spans here, OpenTelemetry does.
    enableRuntimeChannelInjection: false,
    initialScope: { tags: { service: options.service } },
    integrations: (defaults) => [
      ...defaults.filter((integration) => integration.name !== 'Fastify'),
      Sentry.openTelemetryIntegration(),
    ],
    beforeSend: (event) => scrubEvent(event),
  });
  setErrorReporter({
    capture: (error: unknown, report: ErrorReport) => {
      Sentry.withScope((scope) => {
        const { traceId, spanId, requestId, ...origin } = report;
        scope.setTags({
          ...(requestId === undefined ? {} : { request_id: requestId }),
          ...(traceId === undefined ? {} : { trace_id: traceId }),
          ...(origin.queue === undefined ? {} : { queue: origin.queue }),
        });
        scope.setContext('origin', { requestId, traceId, spanId, ...origin });
        Sentry.captureException(error);
      });
    },
    flush: (timeoutMs) => Sentry.flush(timeoutMs),
  });
}
