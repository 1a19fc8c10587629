import { Client } from 'pg';
import { migrate, revert } from '../../apps/cli/src/database.commands';
import { testConfig } from '../setup/apps';
import { ADMIN_DATABASE_URL, testDatabaseUrl } from '../setup/test-env';

const admin = async (sql: string): Promise<void> => {
  const client = new Client({ connectionString: ADMIN_DATABASE_URL });
  await client.connect();
  await client.query(sql);
  await client.end();
};

describe('db:migrate under live traffic', () => {
  const database = `bourse_migrate_${process.pid}_${Date.now().toString(36)}`;
  const config = testConfig({
    DATABASE_URL: testDatabaseUrl(database),
    MIGRATION_LOCK_TIMEOUT_MS: '200',
    MIGRATION_LOCK_RETRIES: '3',
  });

  beforeAll(async () => {
    await admin(`CREATE DATABASE ${database}`);
    await migrate(config);
  });
  afterAll(() => admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));

  it('gives up on a lock after its own lock_timeout, rolls back and retries', async () => {
    // The outbox's trace_context migration alters the table (the newer one after it does not
    // wait for a lock); a transaction of the running release holds a lock on it.
    const reverted = [await revert(config), await revert(config)]
      .reverse()
      .map((line) => line.replace('reverted ', ''));
    const holder = new Client({ connectionString: config.database.url });
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE outbox IN ACCESS SHARE MODE');
    const retries: string[] = [];

    const result = await migrate(config, (attempt, error) => {
      retries.push(
        `${attempt}: ${(error as { driverError?: { code?: string } }).driverError?.code}`,
      );
      // The long transaction ends while db:migrate backs off.
      void holder.query('COMMIT');
    });
    await holder.end();

    expect(retries).toEqual(['1: 55P03']);
    expect(reverted[0]).toBe('OutboxTraceContext1765600000000');
    expect(result).toBe(`applied ${reverted.join(', ')}`);
  });

  it('fails after MIGRATION_LOCK_RETRIES attempts when the lock is never released', async () => {
    await revert(config);
    await revert(config);
    const holder = new Client({ connectionString: config.database.url });
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE outbox IN ACCESS SHARE MODE');
    let attempts = 0;
    try {
      await expect(migrate(config, () => (attempts += 1))).rejects.toThrow(/lock timeout/);
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
    }
    expect(attempts).toBe(2);
    // Nothing half-applied: the run after the lock is gone applies it whole.
    expect(await migrate(config)).toMatch(/^applied /);
  });
});
