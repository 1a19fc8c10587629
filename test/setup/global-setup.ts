import { loadConfig } from '../../libs/platform/src/config/config';
import { dataSourceOptions } from '../../libs/platform/src/database/data-source.options';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { ADMIN_DATABASE_URL, TEST_DB_ENV, TEST_PREFIX_ENV, testDatabaseUrl } from './test-env';

/**
 * Keeps jest alive to its globalTeardown when a test file leaves a promise rejection or an
 * exception behind once its tests are done (jest catches them only while a test runs). Jest runs a
 * lone test file in its own process, where Node would otherwise exit at once and leave the run's
 * database and Redis keys behind. The run still fails: the error is printed and the exit code set.
 */
function failRunInsteadOfExiting(): void {
  const fail = (kind: string) => (error: unknown) => {
    process.exitCode = 1;
    process.stderr.write(`\n${kind} after a test file's tests (the run fails):\n`);
    process.stderr.write(
      `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
  };
  process.on('unhandledRejection', fail('Unhandled rejection'));
  process.on('uncaughtException', fail('Uncaught exception'));
}

/** Creates this run's own database, migrates it once, and picks this run's Redis key prefix. */
export default async function globalSetup(): Promise<void> {
  failRunInsteadOfExiting();
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
