import { DataSource } from 'typeorm';
import { loadConfig } from '../config/config';
import { dataSourceOptions } from './data-source.options';

/** For the TypeORM CLI (`typeorm -d dist/.../data-source.js`); the apps build their own from config. */
export default new DataSource(dataSourceOptions(loadConfig().database, [], 'bourse-cli'));
