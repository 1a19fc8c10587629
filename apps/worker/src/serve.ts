import { runHttpProcess, type Telemetry } from '@bourse/platform';
import { createWorkerApp } from './worker.app';
import { WORKER_CONFIG_SECTIONS } from './worker.config';

/** Runs the worker until SIGTERM; loaded by main once telemetry has started. */
export function serve(telemetry: Telemetry): Promise<void> {
  return runHttpProcess(
    'worker',
    WORKER_CONFIG_SECTIONS,
    (config) => createWorkerApp(config),
    (config) => config.http.workerPort,
    telemetry,
  );
}
