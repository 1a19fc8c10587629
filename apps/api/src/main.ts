import { runHttpProcess } from '@bourse/platform';
import { createApiApp } from './api.app';

void runHttpProcess(
  'api',
  (config) => createApiApp(config),
  (config) => config.http.apiPort,
);
