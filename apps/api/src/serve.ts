import { runHttpProcess, type Telemetry } from '@bourse/platform';
import { createApiApp } from './api.app';
import { API_CONFIG_SECTIONS } from './api.config';

/** Runs the api until SIGTERM; loaded by main once telemetry has started. */
export function serve(telemetry: Telemetry): Promise<void> {
  return runHttpProcess(
    'api',
    API_CONFIG_SECTIONS,
    (config) => createApiApp(config),
    (config) => config.http.apiPort,
    telemetry,
  );
}
