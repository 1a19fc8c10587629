import { loadConfig } from '../../libs/platform/src/config/config';
import { dataSourceOptions } from '../../libs/platform/src/database/data-source.options';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { ADMIN_DATABASE_URL, TEST_DB_ENV, TEST_PREFIX_ENV, testDatabaseUrl } from './test-env';

/** Creates this run's own database, migrates it once, and picks this run's Redis key prefix. */
export default async function globalSetup(): Promise<void> {
  const database = `bourse_test_${process.pid}_${Date.now().toString(36)}`;
  const admin = new Client({ connectionString: ADMIN_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${database}`);
  } finally {
    await admin.end();
  }
  const url = testDatabaseUrl(database);
  const source = new DataSource(
    dataSourceOptions({ ...loadConfig().database, url, poolSize: 2 }, { migrations: MIGRATIONS }),
  );
  await source.initialize();
  await source.runMigrations();
  await source.destroy();

  process.env[TEST_DB_ENV] = database;
  process.env[TEST_PREFIX_ENV] = `bt${process.pid}`;
  process.env.DATABASE_URL = url;
  process.env.REDIS_KEY_PREFIX = process.env[TEST_PREFIX_ENV];
}
