import { dataSourceOptions, loadConfig } from '@bourse/platform';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { ADMIN_DATABASE_URL, testDatabaseUrl } from '../setup/test-env';

/** Every table, column and index of the public schema, to compare schemas across a round trip. */
const SCHEMA_SQL = `
  SELECT table_name || '.' || column_name || ':' || data_type || ':' || is_nullable AS item
    FROM information_schema.columns WHERE table_schema = 'public'
  UNION ALL
  SELECT indexname || ':' || indexdef FROM pg_indexes WHERE schemaname = 'public'
  ORDER BY 1`;

describe('migrations', () => {
  const database = `bourse_migrations_${process.pid}_${Date.now().toString(36)}`;
  let source: DataSource;

  beforeAll(async () => {
    const admin = new Client({ connectionString: ADMIN_DATABASE_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${database}`);
    await admin.end();
    const db = { ...loadConfig().database, url: testDatabaseUrl(database), poolSize: 2 };
    source = await new DataSource(dataSourceOptions(db, { migrations: MIGRATIONS })).initialize();
  });

  afterAll(async () => {
    await source.destroy();
    const admin = new Client({ connectionString: ADMIN_DATABASE_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
  });

  const schema = async (): Promise<string[]> =>
    ((await source.query(SCHEMA_SQL)) as { item: string }[])
      .map((row) => row.item)
      .filter(
        (item) => !item.startsWith('migrations.') && !item.includes(' ON public.migrations '),
      );

  it('are named with unique, increasing timestamps', () => {
    const stamps = MIGRATIONS.map((m) => Number(/(\d{13})$/.exec(m.name)?.[1]));
    expect(stamps.every(Number.isFinite)).toBe(true);
    expect([...stamps].sort((a, b) => a - b)).toEqual(stamps);
    expect(new Set(stamps).size).toBe(stamps.length);
  });

  it('run up, all the way down to an empty schema, and up again to the same schema', async () => {
    await source.runMigrations();
    const migrated = await schema();

    for (let i = 0; i < MIGRATIONS.length; i++) {
      await source.undoLastMigration();
    }
    expect(await schema()).toEqual([]);

    await source.runMigrations();
    expect(await schema()).toEqual(migrated);
  });
});
