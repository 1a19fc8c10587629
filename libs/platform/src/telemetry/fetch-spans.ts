import {
  context,
  propagation,
  SpanKind,
  SpanStatusCode,
  trace,
  type Span,
} from '@opentelemetry/api';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';

/** What Node's bundled undici publishes on its diagnostics channels (the parts used here). */
interface UndiciRequest {
  origin: string;
  method: string;
  path: string;
  addHeader(name: string, value: string): unknown;
}

const spans = new WeakMap<UndiciRequest, Span>();

/**
 * Client spans for `fetch` (Node's bundled undici, which @opentelemetry/instrumentation-http does
 * not see), with the trace context injected into the outgoing headers, so a provider call made
 * in a job continues the job's trace. Built on undici's diagnostics channels: nothing is
 * patched. Returns the unsubscribe.
 */
export function traceFetch(): () => void {
  const tracer = trace.getTracer('bourse-fetch');
  const onCreate = (message: unknown): void => {
    const { request } = message as { request: UndiciRequest };
    const parent = context.active();
    if (!trace.getSpan(parent)) {
      return; // Untraced work (a background poll) makes no orphan root spans.
    }
    const url = new URL(request.path, request.origin);
    const span = tracer.startSpan(
      `${request.method} ${url.host}`,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'http.request.method': request.method,
          'server.address': url.hostname,
          'url.full': `${url.origin}${url.pathname}`, // No query string: it can carry keys.
        },
      },
      parent,
    );
    const headers: Record<string, string> = {};
    propagation.inject(trace.setSpan(parent, span), headers);
    for (const [name, value] of Object.entries(headers)) {
      request.addHeader(name, value);
    }
    spans.set(request, span);
  };
  const onHeaders = (message: unknown): void => {
    const { request, response } = message as {
      request: UndiciRequest;
      response: { statusCode: number };
    };
    const span = spans.get(request);
    if (span) {
      span.setAttribute('http.response.status_code', response.statusCode);
      if (response.statusCode >= 500) {
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      span.end();
      spans.delete(request);
    }
  };
  const onError = (message: unknown): void => {
    const { request, error } = message as { request: UndiciRequest; error: Error };
    const span = spans.get(request);
    if (span) {
      span.recordException(error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
      span.end();
      spans.delete(request);
    }
  };
  subscribe('undici:request:create', onCreate);
  subscribe('undici:request:headers', onHeaders);
  subscribe('undici:request:error', onError);

  return () => {
    unsubscribe('undici:request:create', onCreate);
    unsubscribe('undici:request:headers', onHeaders);
    unsubscribe('undici:request:error', onError);
  };
}
