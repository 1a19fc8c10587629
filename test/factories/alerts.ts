import { AlertEvaluator, type PriceSample } from '@bourse/alerts';
import { bucketStart } from '@bourse/market-data';
import { dataSourceOptions, type Env } from '@bourse/platform';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { testConfig, type TestServer } from '../setup/apps';
import { adminQuery, TEST_DB_ENV, testDatabaseUrl } from '../setup/test-env';

/**
 * A database and Redis prefix of the spec's own (the worker's relay takes every outbox row, and
 * the evaluators' per-symbol state must not meet another spec's ticks), migrated. Returns the
 * env to start the api and workers with, and how to drop the database.
 */
export async function alertsEnvironment(
  name: string,
  extra: Env = {},
): Promise<{ env: Env; drop(): Promise<void> }> {
  const database = `${process.env[TEST_DB_ENV]}_${name}`;
  const env: Env = {
    DATABASE_URL: testDatabaseUrl(database),
    REDIS_KEY_PREFIX: `${process.env.REDIS_KEY_PREFIX}-${name}`,
    OUTBOX_RELAY_INTERVAL_MS: '20',
    ALERTS_EVALUATOR: 'off',
    ...extra,
  };
  await adminQuery(`CREATE DATABASE ${database}`);
  const source = new DataSource(
    dataSourceOptions({ ...testConfig(env).database, poolSize: 2 }, { migrations: MIGRATIONS }),
  );
  await source.initialize();
  await source.runMigrations();
  await source.destroy();

  return { env, drop: () => adminQuery(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`) };
}

/**
 * Scripted ticks with their own clock (tick time is the only time the evaluator reads): each
 * symbol's seq goes up by one per tick, and `advance` moves the clock, e.g. across a bar.
 */
export class TickTape {
  private readonly seqs = new Map<string, number>();
  /** A whole hour ahead of now, so minute, hour and day bars start where a test expects. */
  now = bucketStart(Date.now(), '1h') + 60 * 60_000;

  next(symbol: string, price: string, advanceMs = 1_000): PriceSample {
    this.now += advanceMs;
    const seq = (this.seqs.get(symbol) ?? 0) + 1;
    this.seqs.set(symbol, seq);

    return { symbol, price, ts: this.now, seq };
  }

  /** Sets the clock to `ms` into the current minute's next minute (a bar boundary, then `ms`). */
  nextMinute(ms = 0): void {
    this.now = bucketStart(this.now, '1m') + 60_000 + ms;
  }

  /** Evaluates ticks one after another on `worker`'s evaluator. */
  async play(worker: TestServer, symbol: string, prices: string[], stepMs = 1_000): Promise<void> {
    const evaluator = worker.app.get(AlertEvaluator);
    for (const price of prices) {
      await evaluator.evaluate(this.next(symbol, price, stepMs));
    }
  }
}

/** Polls `probe` until `done` says so (or 20 s pass), and answers its last value. */
export async function waitFor<T>(
  probe: () => T | Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > deadline) {
      return value;
    }
    await sleep(50);
  }
}
