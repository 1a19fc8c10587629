import { loadConfig, type AppConfig } from '../config/config';

export interface Telemetry {
  /** Exports the spans and error reports still buffered (tests read their receivers after). */
  flush(): Promise<void>;
  /** Flushes and stops; the last step of a graceful shutdown. */
  shutdown(): Promise<void>;
}

/**
 * Starts what the config turns on, before the app is loaded: tracing when
 * OTEL_EXPORTER_OTLP_ENDPOINT is set, error reporting when SENTRY_DSN is. With neither, nothing
 * beyond the config is loaded. A config that does not load starts nothing here: the app's own
 * boot reports it.
 */
export async function startTelemetry(service: string, config?: AppConfig): Promise<Telemetry> {
  let loaded: AppConfig;
  try {
    loaded = config ?? loadConfig();
  } catch {
    return { flush: async () => undefined, shutdown: async () => undefined };
  }
  const { otlpEndpoint, sentryDsn, sentryEnvironment } = loaded.telemetry;
  const flushes: (() => Promise<unknown>)[] = [];
  const stops: (() => Promise<unknown>)[] = [];
  if (otlpEndpoint) {
    const { startTracing } = await import('./tracing');
    const tracing = startTracing({
      service,
      endpoint: otlpEndpoint,
      ignoreHosts: sentryDsn ? [new URL(sentryDsn).hostname] : [],
    });
    flushes.push(() => tracing.flush());
    stops.push(() => tracing.shutdown());
  }
  if (sentryDsn) {
    const { startErrorReporting } = await import('./sentry');
    startErrorReporting({ dsn: sentryDsn, environment: sentryEnvironment, service });
    const { flushErrorReports } = await import('./error-reporting');
    flushes.push(() => flushErrorReports());
    stops.unshift(() => flushErrorReports());
  }

  return {
    flush: async () => {
      await Promise.all(flushes.map((flush) => flush()));
    },
    shutdown: async () => {
      for (const stop of stops) {
        await stop();
      }
    },
  };
}
