import { dataSourceOptions, loadConfig } from '@bourse/platform';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../../migrations';

/** For the TypeORM CLI (`typeorm -d dist/apps/cli/apps/cli/src/data-source.js`); the apps build their own from config. */
export default new DataSource(
  dataSourceOptions(loadConfig().database, {
    migrations: MIGRATIONS,
    applicationName: 'bourse-cli',
  }),
);
