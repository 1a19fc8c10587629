import { dataSourceOptions, type AppConfig } from '@bourse/platform';
import { Client } from 'pg';
import { setTimeout as delay } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../../migrations';

const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** Creates the database named in DATABASE_URL if it does not exist (connects to `postgres`). */
export async function createDatabase(config: AppConfig): Promise<string> {
  const target = new URL(config.database.url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const admin = new URL(target);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const existing = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (existing.rowCount) {
      return `database ${name} already exists`;
    }
    await client.query(`CREATE DATABASE ${quoteIdent(name)}`);

    return `database ${name} created`;
  } finally {
    await client.end();
  }
}

async function withDataSource<T>(
  config: AppConfig,
  work: (source: DataSource) => Promise<T>,
): Promise<T> {
  // Not the apps' statement timeout: a migration may build an index for minutes, but it must
  // not wait long for a lock, or every query on the table queues behind it.
  const source = new DataSource(
    dataSourceOptions(
      {
        ...config.database,
        statementTimeoutMs: config.migrations.statementTimeoutMs,
        lockTimeoutMs: config.migrations.lockTimeoutMs,
      },
      { migrations: MIGRATIONS, applicationName: 'bourse-cli' },
    ),
  );
  await source.initialize();
  try {
    return await work(source);
  } finally {
    await source.destroy();
  }
}

const LOCK_NOT_AVAILABLE = '55P03';

const isLockTimeout = (error: unknown): boolean =>
  (error as { code?: string; driverError?: { code?: string } }).code === LOCK_NOT_AVAILABLE ||
  (error as { driverError?: { code?: string } }).driverError?.code === LOCK_NOT_AVAILABLE;

/**
 * Applies pending migrations. One that gives up on a lock (MIGRATION_LOCK_TIMEOUT_MS, behind a
 * long transaction of the running release) is rolled back and the run retried, backing off
 * 1 s, 2 s, ... up to MIGRATION_LOCK_RETRIES attempts; migrations applied before it stay
 * applied (the summary lists those of the last attempt).
 */
export async function migrate(
  config: AppConfig,
  onRetry: (attempt: number, error: unknown) => void = () => undefined,
): Promise<string> {
  const applied: string[] = [];
  for (let attempt = 1; ; attempt += 1) {
    try {
      const done = await withDataSource(config, (source) => source.runMigrations());
      applied.push(...done.map((migration) => migration.name));
      break;
    } catch (error) {
      if (!isLockTimeout(error) || attempt >= config.migrations.lockRetries) {
        throw error;
      }
      onRetry(attempt, error);
      await delay(attempt * 1000);
    }
  }

  return applied.length ? `applied ${applied.join(', ')}` : 'schema is up to date';
}

/** Reverts the newest applied migration (run again to go further back). */
export function revert(config: AppConfig): Promise<string> {
  return withDataSource(config, async (source) => {
    const [last] = (await source
      .query('SELECT name FROM migrations ORDER BY id DESC LIMIT 1')
      .catch(() => [])) as { name: string }[];
    if (!last) {
      return 'nothing to revert';
    }
    await source.undoLastMigration();

    return `reverted ${last.name}`;
  });
}
