import { FastifyOtelInstrumentation } from '@fastify/otel';
import { trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { NodeSDK, resources } from '@opentelemetry/sdk-node';
import type { FastifyRequest } from 'fastify';
import { hostname } from 'node:os';
import { isOperationalPath, pathOf } from '../http/request-path';
import { traceFetch } from './fetch-spans';
import { markTracingEnabled, REQUEST_TRACE_IDS } from './trace-context';

export interface Tracing {
  /** Exports the spans still buffered (tests read the receiver right after). */
  flush(): Promise<void>;
  /** Flushes and stops exporting; the last step of a graceful shutdown. */
  shutdown(): Promise<void>;
}

interface FlushableProvider {
  forceFlush?(): Promise<void>;
}

/**
 * Starts OpenTelemetry tracing to an OTLP/HTTP collector: spans for Fastify requests (named by
 * route template; probes and scrapes ignored), pg, ioredis, outgoing `http` and `fetch`. Must
 * run before pg, ioredis and http are first required, which is why the apps start it from their
 * `main` before importing anything else. Only this module loads the SDK.
 *
 * `ignoreHosts` are hosts whose outgoing calls are not traced (the error tracker's), so
 * reporting an error does not make spans of its own.
 */
export function startTracing(options: {
  service: string;
  endpoint: string;
  ignoreHosts?: string[];
}): Tracing {
  const ignored = new Set(options.ignoreHosts ?? []);
  const instrumentations = [
    new HttpInstrumentation({
      // Requests are traced by @fastify/otel, which names them by route.
      disableIncomingRequestInstrumentation: true,
      ignoreOutgoingRequestHook: (request) => ignored.has(request.hostname ?? request.host ?? ''),
    }),
    new PgInstrumentation({ requireParentSpan: true }),
    new IORedisInstrumentation({ requireParentSpan: true }),
    new FastifyOtelInstrumentation({
      // Every Fastify instance made from now on (Nest's adapter) gets the plugin.
      registerOnInitialization: true,
      instrumentHooks: false,
      ignorePaths: (route: { url?: string }) => isOperationalPath(pathOf(route.url ?? '')),
      // Kept for the access log, written after the request span has ended.
      requestHook: (span, request) => {
        (request as FastifyRequest & Record<symbol, unknown>)[REQUEST_TRACE_IDS] =
          span.spanContext();
      },
    }),
  ];
  const sdk = new NodeSDK({
    serviceName: options.service,
    // Set here rather than by the SDK's detectors, whose async lookups outlive its shutdown.
    autoDetectResources: false,
    resource: resources.resourceFromAttributes({
      'host.name': hostname(),
      'process.pid': process.pid,
    }),
    traceExporter: new OTLPTraceExporter({
      url: `${options.endpoint.replace(/\/$/, '')}/v1/traces`,
    }),
    // Metrics stay with prom-client and logs with stdout: no OTLP exporters for either.
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations,
  });
  sdk.start();
  const untraceFetch = traceFetch();
  markTracingEnabled();
  const provider = (): FlushableProvider =>
    (trace.getTracerProvider() as { getDelegate?: () => FlushableProvider }).getDelegate?.() ?? {};

  return {
    flush: async () => {
      await provider().forceFlush?.();
    },
    shutdown: async () => {
      untraceFetch();
      await sdk.shutdown();
      // The SDK leaves its hooks in place: @fastify/otel would still add its plugin to every
      // Fastify made later in this process (twice, once tracing starts again).
      for (const instrumentation of instrumentations) {
        instrumentation.disable();
      }
    },
  };
}
