import type { AppConfig, SectionsConfig } from '@bourse/platform';
import { API_CONFIG_SECTIONS } from '../../api/src/api.config';
import { WORKER_CONFIG_SECTIONS } from '../../worker/src/worker.config';
import { SEED_CONFIG } from './seed.config';
import { PROVIDER_SIMULATORS_CONFIG } from './provider-simulators.config';

/**
 * The cli's sections: every app's (it migrates, seeds, backfills, verifies and writes the api's
 * OpenAPI document and the README's table of every variable) and the seed's own.
 */
export const CLI_CONFIG_SECTIONS = [
  ...API_CONFIG_SECTIONS,
  ...WORKER_CONFIG_SECTIONS,
  SEED_CONFIG,
  PROVIDER_SIMULATORS_CONFIG,
] as const;

export type CliConfig = AppConfig & SectionsConfig<typeof CLI_CONFIG_SECTIONS>;
