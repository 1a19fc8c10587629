import { runHttpProcess } from '@bourse/platform';
import { createApiApp } from './api.app';
import { API_CONFIG_SECTIONS } from './api.config';

void runHttpProcess(
  'api',
  API_CONFIG_SECTIONS,
  (config) => createApiApp(config),
  (config) => config.http.apiPort,
);
