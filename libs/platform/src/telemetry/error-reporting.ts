import { activeTraceIds, type TraceIds } from './trace-context';

/** Where an error happened: a request or a job (never its payload, which can hold PII). */
export interface ErrorOrigin {
  requestId?: string;
  method?: string;
  route?: string;
  queue?: string;
  jobName?: string;
  jobId?: string;
  attempts?: number;
}

export type ErrorReport = ErrorOrigin & Partial<TraceIds>;

interface Reporter {
  capture(error: unknown, report: ErrorReport): void;
  flush(timeoutMs: number): Promise<boolean>;
}

let reporter: Reporter | undefined;

/** Installed by startErrorReporting when SENTRY_DSN is set; until then reports go nowhere. */
export function setErrorReporter(installed: Reporter | undefined): void {
  reporter = installed;
}

/**
 * Sends `error` to error tracking (when configured) with its origin and the active trace's ids.
 * Only for what nobody handled: an unexpected 500, a job that failed its last attempt.
 */
export function reportError(error: unknown, origin: ErrorOrigin): void {
  reporter?.capture(error, { ...origin, ...activeTraceIds() });
}

/** Waits (up to `timeoutMs`) for queued reports to be sent; on shutdown and in tests. */
export function flushErrorReports(timeoutMs = 2000): Promise<boolean> {
  return reporter ? reporter.flush(timeoutMs) : Promise.resolve(true);
}
