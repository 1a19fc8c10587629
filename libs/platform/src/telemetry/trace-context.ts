import {
  context,
  propagation,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
} from '@opentelemetry/api';

/**
 * The W3C trace context (`traceparent`, `tracestate`) as stored with an outbox row and carried in
 * a Bull job's data, so work done later, elsewhere, continues the trace that asked for it.
 */
export type TraceCarrier = Record<string, string>;

/** Key of the trace context in a job's data (the relay adds it to the outbox row's payload). */
export const JOB_TRACE_KEY = 'traceContext';

/** The ids written into log lines and error reports. */
export interface TraceIds {
  traceId: string;
  spanId: string;
}

let enabled = false;

/** Set once by startTracing: only then do log lines look up the active span. */
export const tracingEnabled = (): boolean => enabled;

export function markTracingEnabled(): void {
  enabled = true;
}

/** The active trace's context to hand on, or null outside any (sampled or not) trace. */
export function currentTraceCarrier(): TraceCarrier | null {
  if (!trace.getSpan(context.active())) {
    return null;
  }
  const carrier: TraceCarrier = {};
  propagation.inject(context.active(), carrier);

  return carrier.traceparent ? carrier : null;
}

/** The active span's ids, or undefined when nothing is traced. */
export function activeTraceIds(): TraceIds | undefined {
  const span = trace.getActiveSpan();
  if (!span) {
    return undefined;
  }
  const { traceId, spanId } = span.spanContext();

  return { traceId, spanId };
}

/** pino mixin: the active span's ids on every line logged inside one. */
export const traceLogFields = (): Partial<TraceIds> => activeTraceIds() ?? {};

/**
 * Runs `work` in a new span whose parent is `carrier`'s context (or the active one when the
 * carrier is missing), ending it when `work` settles and recording a thrown error.
 */
export function inSpan<T>(
  name: string,
  options: { kind: SpanKind; attributes?: Attributes; carrier?: TraceCarrier | null },
  work: (span: Span) => Promise<T>,
): Promise<T> {
  const parent: Context = options.carrier
    ? propagation.extract(context.active(), options.carrier)
    : context.active();
  const span = trace
    .getTracer('bourse')
    .startSpan(name, { kind: options.kind, attributes: options.attributes }, parent);

  return context.with(trace.setSpan(parent, span), async () => {
    try {
      return await work(span);
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      throw error;
    } finally {
      span.end();
    }
  });
}

export { SpanKind };

/** Where the request span's ids are kept on a Fastify request (for the access log line). */
export const REQUEST_TRACE_IDS = Symbol.for('bourse.requestTraceIds');
