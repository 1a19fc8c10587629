import { runHttpProcess, type Telemetry } from '@bourse/platform';
import { createWorkerApp } from './worker.app';

/** Runs the worker until SIGTERM; loaded by main once telemetry has started. */
export function serve(telemetry: Telemetry): Promise<void> {
  return runHttpProcess(
    'worker',
    (config) => createWorkerApp(config),
    (config) => config.http.workerPort,
    telemetry,
  );
}
