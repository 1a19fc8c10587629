import { runHttpProcess, type Telemetry } from '@bourse/platform';
import { createApiApp } from './api.app';

/** Runs the api until SIGTERM; loaded by main once telemetry has started. */
export function serve(telemetry: Telemetry): Promise<void> {
  return runHttpProcess(
    'api',
    (config) => createApiApp(config),
    (config) => config.http.apiPort,
    telemetry,
  );
}
