import { runHttpProcess } from '@bourse/platform';
import { createWorkerApp } from './worker.app';

void runHttpProcess(
  'worker',
  (config) => createWorkerApp(config),
  (config) => config.http.workerPort,
);
