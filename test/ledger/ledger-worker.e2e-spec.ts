import {
  INVARIANT_CHECKS,
  LEDGER_QUEUE,
  LedgerJob,
  type VerifyInvariantsJob,
} from '@bourse/ledger';
import { Database, dataSourceOptions, OutboxService, rows } from '@bourse/platform';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { ledgerOf, type LedgerServices } from '../factories/ledger';
import { MIGRATIONS } from '../../migrations';
import { LedgerViolationsError, verifyLedger } from '../../apps/cli/src/ledger-verify.command';
import { testConfig, type TestServer } from '../setup/apps';
import { adminQuery, TEST_DB_ENV, testDatabaseUrl } from '../setup/test-env';
import { startWorker } from '../setup/worker';

const CHECKS = Object.keys(INVARIANT_CHECKS).length;

// The sweeper voids every expired hold and the checker reads the whole ledger: both get a
// database of their own, so neither touches (nor is tripped by) other spec files' ledgers.
const DATABASE = `${process.env[TEST_DB_ENV]}_ledger_worker`;
const WORKER_ENV = {
  DATABASE_URL: testDatabaseUrl(DATABASE),
  REDIS_KEY_PREFIX: `${process.env.REDIS_KEY_PREFIX}-ledger`,
  OUTBOX_RELAY_INTERVAL_MS: '20',
  LEDGER_PENDING_SWEEP_INTERVAL_SECONDS: '1',
  LEDGER_VERIFY_INTERVAL_SECONDS: '3600',
};

async function waitFor<T>(probe: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > deadline) {
      return value;
    }
    await sleep(100);
  }
}

describe('ledger worker jobs', () => {
  let worker: TestServer;
  let ledger: LedgerServices;
  let db: Database;

  /** A user wallet holding `amount` USD minor units, funded from the house. */
  async function fundedWallet(amount: bigint): Promise<string> {
    const house = await ledger.accounts.ensureSystemAccount('house', 'USD');
    const wallet = await ledger.accounts.createAccount({
      asset: 'USD',
      owner: randomUUID(),
      kind: 'user_wallet',
    });
    await ledger.transfers.transfer({
      id: randomUUID(),
      debitAccountId: house.id,
      creditAccountId: wallet.id,
      amount,
      asset: 'USD',
      code: 'test.deposit',
    });

    return wallet.id;
  }

  async function gauge(): Promise<Record<string, number>> {
    const text = (await worker.metrics()).body;

    return Object.fromEntries(
      [...text.matchAll(/^bourse_ledger_invariant_violations\{check="(\w+)"\} (\d+)$/gm)].map(
        ([, check, value]) => [check!, Number(value)],
      ),
    );
  }

  /** Runs the check now, through the outbox like the scheduler does, under a fresh job id. */
  async function checkNow(): Promise<void> {
    await db.transaction(undefined, (tx) =>
      worker.app.get(OutboxService).enqueue<VerifyInvariantsJob>(tx, {
        queue: LEDGER_QUEUE,
        name: LedgerJob.VerifyInvariants,
        jobId: `verify-invariants:spec-${randomUUID()}`,
        payload: { bucket: new Date().toISOString() },
      }),
    );
  }

  beforeAll(async () => {
    await adminQuery(`CREATE DATABASE ${DATABASE}`);
    const config = testConfig(WORKER_ENV);
    const source = new DataSource(
      dataSourceOptions({ ...config.database, poolSize: 2 }, { migrations: MIGRATIONS }),
    );
    await source.initialize();
    await source.runMigrations();
    await source.destroy();
    worker = await startWorker(WORKER_ENV);
    ledger = ledgerOf(worker.app);
    db = worker.app.get(Database);
  });
  afterAll(async () => {
    await worker?.close();
    await adminQuery(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
  });

  it('voids an expired hold on its own, releasing the funds', async () => {
    const wallet = await fundedWallet(1000n);
    const house = await ledger.accounts.ensureSystemAccount('house', 'USD');
    const hold = await ledger.transfers.transfer({
      id: randomUUID(),
      debitAccountId: wallet,
      creditAccountId: house.id,
      amount: 400n,
      asset: 'USD',
      code: 'test.hold',
      pending: true,
      timeoutSeconds: 1,
    });
    expect((await ledger.accounts.getAccount(wallet))!.balance.available).toBe(600n);

    const swept = await waitFor(
      () => ledger.transfers.getTransfer(hold.id),
      (t) => t?.status === 'voided',
    );

    expect(swept?.status).toBe('voided');
    expect((await ledger.accounts.getAccount(wallet))!.balance).toMatchObject({
      posted: 1000n,
      available: 1000n,
      debitsPending: 0n,
    });
  });

  it('sets the invariant gauge to 0 on a sound ledger and above 0 once a balance is corrupted, logging loudly', async () => {
    const wallet = await fundedWallet(500n);
    await checkNow();
    const sound = await waitFor(gauge, (g) => Object.keys(g).length === CHECKS);
    expect(Object.values(sound)).toEqual(Array(CHECKS).fill(0));
    // When it ran, so a stale check (no worker running it) can be alerted on.
    const lastRun = Number(
      /^bourse_ledger_invariant_last_run_timestamp_seconds (\S+)$/m.exec(
        (await worker.metrics()).body,
      )?.[1],
    );
    expect(Math.abs(lastRun - Date.now() / 1000)).toBeLessThan(60);

    // What no code path may do: a balance row changed without a transfer and its entries.
    await rows(
      db.manager,
      `UPDATE ledger_balances SET credits_posted = credits_posted + 1 WHERE account_id = $1`,
      [wallet],
    );
    try {
      await checkNow();
      const broken = await waitFor(gauge, (g) => g.balance_entry_mismatches! > 0);

      expect(broken).toMatchObject({ balance_entry_mismatches: 1, unbalanced_assets: 1 });
      const logged = await waitFor(
        async () => worker.logs.lines.find((l) => l.msg === 'ledger invariant violation'),
        Boolean,
      );
      expect(logged).toMatchObject({ level: 'error' });
      expect(JSON.stringify(logged)).toContain(wallet);

      // The CLI reads the same report and fails on it.
      const config = testConfig(WORKER_ENV);
      const failed = await verifyLedger(config).catch((error: unknown) => error);
      expect(failed).toBeInstanceOf(LedgerViolationsError);
      expect((failed as Error).message).toMatch(/VIOLATED[\s\S]*FAIL balance_entry_mismatches: 1/);
      expect((failed as Error).message).toContain(wallet);
    } finally {
      await rows(
        db.manager,
        `UPDATE ledger_balances SET credits_posted = credits_posted - 1 WHERE account_id = $1`,
        [wallet],
      );
    }

    await checkNow();
    expect(Object.values(await waitFor(gauge, (g) => g.balance_entry_mismatches === 0))).toEqual(
      Array(CHECKS).fill(0),
    );
    await expect(verifyLedger(testConfig(WORKER_ENV))).resolves.toMatch(
      /^ledger invariants hold: \d+ accounts checked/,
    );
  });
});
