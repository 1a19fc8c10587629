import { runHttpProcess } from '@bourse/platform';
import { createWorkerApp } from './worker.app';
import { WORKER_CONFIG_SECTIONS } from './worker.config';

void runHttpProcess(
  'worker',
  WORKER_CONFIG_SECTIONS,
  (config) => createWorkerApp(config),
  (config) => config.http.workerPort,
);
