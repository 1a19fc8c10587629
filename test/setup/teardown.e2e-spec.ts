import { execFile } from 'node:child_process';
import Redis from 'ioredis';
import { Client } from 'pg';
import { ADMIN_DATABASE_URL } from './test-env';

/** The test run itself: a file failing after its tests still ends in globalTeardown. */
describe('a jest run', () => {
  it('drops its database and Redis keys when a file leaves an unhandled rejection behind', async () => {
    const run = execFile(
      process.execPath,
      [
        '--experimental-vm-modules',
        '--no-warnings=ExperimentalWarning',
        'node_modules/jest/bin/jest.js',
        '--testRegex',
        'late-rejection\\.fixture\\.ts$',
        'test/setup/fixtures',
      ],
      { env: { ...process.env, FORCE_COLOR: '0' } },
    );
    let output = '';
    run.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    run.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => run.on('exit', resolve));

    expect(output).toContain('rejected after the tests');
    expect(output).toContain('1 passed');
    expect(code).toBe(1);
    // Its database and Redis prefix are named after its process (global-setup.ts).
    const admin = new Client({ connectionString: ADMIN_DATABASE_URL });
    await admin.connect();
    try {
      const left = await admin.query(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [
        `bourse_test_${run.pid}_%`,
      ]);
      expect(left.rows).toEqual([]);
    } finally {
      await admin.end();
    }
    const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    try {
      expect(await redis.keys(`bt${run.pid}*`)).toEqual([]);
    } finally {
      await redis.quit();
    }
  }, 120_000);
});
