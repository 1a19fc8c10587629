import { Client } from 'pg';

/** Names shared by global setup, teardown and the specs (passed through the environment). */
export const TEST_DB_ENV = 'BOURSE_TEST_DATABASE';
export const TEST_PREFIX_ENV = 'BOURSE_TEST_REDIS_PREFIX';
export const ADMIN_DATABASE_URL =
  process.env.TEST_ADMIN_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export function testDatabaseUrl(database: string): string {
  const url = new URL(ADMIN_DATABASE_URL);
  url.pathname = `/${database}`;

  return url.toString();
}

/** Runs one statement as the admin (CREATE or DROP a spec's own DATABASE). */
export async function adminQuery(sql: string): Promise<void> {
  const admin = new Client({ connectionString: ADMIN_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
}
