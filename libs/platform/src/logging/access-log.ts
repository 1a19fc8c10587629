import pino, { type Logger } from 'pino';
import type { TraceIds } from '../telemetry/trace-context';
import { isoTime } from './logger';

/** What one "request completed" line says; none of it can hold a secret (no query strings). */
export interface CompletedRequest {
  requestId: string;
  method: string;
  /** The path without its query string, which can carry tokens. */
  url: string;
  /** The route template, or "unmatched". */
  route: string;
  status: number;
  ms: number;
  /** The request span's ids, when tracing is on. */
  trace?: TraceIds;
}

const INFO = pino.levels.values.info;

/**
 * Writes the one line per request to `logger`'s stream in the logger's own format (createLogger's
 * level label, time and bindings, then the fields, then msg). Through pino's generic path
 * (formatters, redaction, a serializer lookup and a stringify per field) the line was a large
 * share of a trivial request's cost (bench/http); its fields are fixed, so the line is put
 * together directly. Honours the logger's level as pino would.
 */
export class AccessLog {
  private readonly bindings: string;

  constructor(private readonly logger: Logger) {
    // pino's serialized bindings of this logger, e.g. `,"service":"api"`.
    this.bindings = (logger as unknown as Record<symbol, string>)[pino.symbols.chindingsSym];
  }

  completed(request: CompletedRequest): void {
    if (this.logger.levelVal > INFO) {
      return;
    }
    const line =
      `{"level":"info"${isoTime()}${this.bindings},"requestId":${JSON.stringify(request.requestId)}` +
      `,"method":${JSON.stringify(request.method)},"url":${JSON.stringify(request.url)}` +
      `,"route":${JSON.stringify(request.route)},"status":${request.status},"ms":${request.ms}` +
      // Hex ids from the tracer: nothing to escape.
      (request.trace
        ? `,"traceId":"${request.trace.traceId}","spanId":"${request.trace.spanId}"`
        : '') +
      `,"msg":"request completed"}\n`;
    (this.logger as unknown as Record<symbol, pino.DestinationStream>)[
      pino.symbols.streamSym
    ].write(line);
  }
}
