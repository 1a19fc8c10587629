import { loadConfig, type AppConfig } from '../config/config';

export interface Telemetry {
  /** Exports buffered spans and sends queued error reports; called on shutdown. */
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
    return { shutdown: async () => undefined };
  }
  const { otlpEndpoint, sentryDsn, sentryEnvironment } = loaded.telemetry;
  const stops: (() => Promise<unknown>)[] = [];
  if (otlpEndpoint) {
    const { startTracing } = await import('./tracing');
    const tracing = startTracing({
      service,
      endpoint: otlpEndpoint,
      ignoreHosts: sentryDsn ? [new URL(sentryDsn).hostname] : [],
    });
    stops.push(() => tracing.shutdown());
  }
  if (sentryDsn) {
    const { startErrorReporting } = await import('./sentry');
    startErrorReporting({ dsn: sentryDsn, environment: sentryEnvironment, service });
    const { flushErrorReports } = await import('./error-reporting');
    stops.unshift(() => flushErrorReports());
  }

  return {
    shutdown: async () => {
      for (const stop of stops) {
        await stop();
      }
    },
  };
}
