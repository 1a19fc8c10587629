import { dataSourceOptions, type AppConfig } from '@bourse/platform';
import { Client } from 'pg';
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
  const source = new DataSource(
    dataSourceOptions(config.database, { migrations: MIGRATIONS, applicationName: 'bourse-cli' }),
  );
  await source.initialize();
  try {
    return await work(source);
  } finally {
    await source.destroy();
  }
}

export function migrate(config: AppConfig): Promise<string> {
  return withDataSource(config, async (source) => {
    const applied = await source.runMigrations();

    return applied.length
      ? `applied ${applied.map((m) => m.name).join(', ')}`
      : 'schema is up to date';
  });
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
