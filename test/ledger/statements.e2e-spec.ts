import { type StatementEntry } from '@bourse/ledger';
import { Database, rows, type Tx } from '@bourse/platform';
import type { INestApplicationContext } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { LedgerFactory, startLedger, usdTransfer, type LedgerServices } from '../factories/ledger';

describe('ledger statements and invariants', () => {
  let app: INestApplicationContext;
  let ledger: LedgerServices;
  let db: Database;
  let make: LedgerFactory;

  beforeAll(async () => {
    ({ app, ledger, db } = await startLedger());
    make = new LedgerFactory(ledger);
  });

  afterAll(() => app.close());

  /** Runs `work` in a transaction that is always rolled back: corruption never outlives a test. */
  const inRolledBackTransaction = (work: (tx: Tx) => Promise<void>): Promise<void> =>
    db
      .transaction(undefined, async (tx) => {
        await work(tx);
        throw new Rollback();
      })
      .catch((e: unknown) => {
        if (!(e instanceof Rollback)) {
          throw e;
        }
      });

  const pay = (from: { id: string }, to: { id: string }, amount: bigint) =>
    ledger.transfers.transfer({
      id: randomUUID(),
      debitAccountId: from.id,
      creditAccountId: to.id,
      amount,
      asset: 'USD',
      code: 'pay',
      metadata: { n: Number(amount) },
    });

  async function readAll(accountId: string, limit: number, between?: () => Promise<void>) {
    const seen: StatementEntry[] = [];
    let cursor: string | undefined;
    do {
      const page = await ledger.statements.statement(accountId, { cursor, limit });
      seen.push(...page.entries);
      cursor = page.nextCursor;
      await between?.();
    } while (cursor);

    return seen;
  }

  it.each(['user_wallet', 'house'] as const)(
    'pages a %s statement newest first with no duplicates or gaps while lines are added',
    async (kind) => {
      const clearing = await make.system('psp_clearing');
      const account = kind === 'user_wallet' ? await make.wallet() : await make.system('house');
      for (let i = 1n; i <= 23n; i++) {
        await pay(clearing, account, i);
      }
      const seen = await readAll(account.id, 5, async () => {
        await pay(clearing, account, 100n); // newer than every page already read
      });
      expect(seen.map((e) => e.amount)).toEqual(
        Array.from({ length: 23 }, (_, i) => BigInt(23 - i)),
      );
      expect(new Set(seen.map((e) => e.id)).size).toBe(23);
      // Running balances: the oldest line is the first credit; each is the next plus its amount.
      const total = (23n * 24n) / 2n;
      expect(seen[0]!.balanceAfter).toBe(total);
      expect(seen.at(-1)!.balanceAfter).toBe(1n);
      expect(seen[0]).toMatchObject({ side: 'credit', code: 'pay', metadata: { n: 23 } });
      // The whole statement now, lines added during paging included.
      const now = await readAll(account.id, 7);
      expect(now).toHaveLength(23 + 5);
      expect(now[0]!.balanceAfter).toBe(await make.posted(account.id));
      for (let i = 0; i < now.length - 1; i++) {
        expect(now[i]!.balanceAfter - now[i]!.amount).toBe(now[i + 1]!.balanceAfter);
      }
    },
  );

  it('rejects a cursor it did not issue and an unknown account', async () => {
    const wallet = await make.wallet();
    for (const cursor of ['abc', '0', '9223372036854775808', '9999999999999999999']) {
      await expect(
        ledger.statements.statement(wallet.id, { cursor, limit: 5 }),
      ).rejects.toMatchObject({
        code: 'ledger.invalid_cursor',
      });
    }
    // The largest line id there can be is a valid (empty) page start.
    expect(
      await ledger.statements.statement(wallet.id, { cursor: '9223372036854775807', limit: 5 }),
    ).toEqual({
      entries: [],
    });
    await expect(ledger.statements.statement(randomUUID(), { limit: 5 })).rejects.toMatchObject({
      code: 'ledger.account_not_found',
    });
  });

  it("pages an account's transfers newest first across both sides, ties in time included", async () => {
    const wallet = await make.wallet({ balance: 1_000n });
    const other = await make.wallet({ balance: 1_000n });
    // A batch shares one created_at: the id breaks the tie, so no page repeats or skips one.
    const batch = await ledger.transfers.transferMany([
      { ...usdTransfer(wallet, other, 10n), pending: true },
      usdTransfer(other, wallet, 20n),
      { ...usdTransfer(wallet, other, 30n), pending: true },
      usdTransfer(wallet, other, 40n),
    ]);
    const later = await ledger.transfers.transfer({
      ...usdTransfer(other, wallet, 50n),
      pending: true,
    });

    const all = async (status?: 'pending'): Promise<string[]> => {
      const ids: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await ledger.transfers.transferPage(
          wallet.id,
          { status },
          { cursor, limit: 2 },
        );
        expect(page.transfers.length).toBeLessThanOrEqual(2);
        ids.push(...page.transfers.map((t) => t.id));
        cursor = page.nextCursor;
      } while (cursor);

      return ids;
    };
    const batchIds = batch
      .map((r) => r.id)
      .sort()
      .reverse();
    const funding = (
      await ledger.transfers.transferPage(wallet.id, {}, { limit: 100 })
    ).transfers.at(-1)!;

    expect(await all()).toEqual([later.id, ...batchIds, funding.id]);
    expect(await all('pending')).toEqual([
      later.id,
      ...[batch[0]!.id, batch[2]!.id].sort().reverse(),
    ]);
    for (const cursor of [
      'abc',
      `1_${randomUUID()}x`,
      `12345678901234567_${randomUUID()}`,
      '1_not-a-uuid-but-thirty-six-chars-xx',
    ]) {
      await expect(
        ledger.transfers.transferPage(wallet.id, {}, { cursor, limit: 5 }),
      ).rejects.toMatchObject({
        code: 'ledger.invalid_cursor',
      });
    }
    await expect(
      ledger.transfers.transferPage(randomUUID(), {}, { limit: 5 }),
    ).rejects.toMatchObject({
      code: 'ledger.account_not_found',
    });
  });

  it("pages an owner's accounts and rejects a cursor that is not an account id", async () => {
    const wallet = await make.wallet({ balance: 700n });

    expect(await ledger.accounts.accountPage({ owner: wallet.owner }, { limit: 5 })).toEqual({
      accounts: [
        expect.objectContaining({
          id: wallet.id,
          balance: expect.objectContaining({ posted: 700n }),
        }),
      ],
    });
    expect(
      await ledger.accounts.accountPage({ owner: wallet.owner }, { cursor: wallet.id, limit: 5 }),
    ).toEqual({
      accounts: [],
    });
    await expect(
      ledger.accounts.accountPage({ owner: wallet.owner }, { cursor: 'abc', limit: 5 }),
    ).rejects.toMatchObject({ code: 'ledger.invalid_cursor' });
  });

  it('reports a healthy ledger, then catches a balance row corrupted behind its back', async () => {
    const wallet = await make.wallet({ balance: 500n });
    const house = await make.system('house');
    await pay(wallet, house, 200n);
    const healthy = await ledger.statements.verifyInvariants();
    expect(healthy).toMatchObject({
      ok: true,
      unbalancedAssets: [],
      balanceEntryMismatches: [],
      pendingMismatches: [],
      orphanTransfers: [],
      misfiledEntries: [],
      negativeAccounts: [],
      expiredPending: [],
    });
    expect(healthy.accountsChecked).toBeGreaterThan(0);

    await inRolledBackTransaction(async (tx) => {
      await rows(
        tx,
        `UPDATE ledger_balances SET credits_posted = credits_posted + 7 WHERE account_id = $1`,
        [wallet.id],
      );
      const report = await ledger.statements.verifyInvariants(tx);
      expect(report.ok).toBe(false);
      expect(report.unbalancedAssets).toEqual([
        expect.objectContaining({ asset: 'USD', posted: 7n, entries: 0n }),
      ]);
      expect(report.balanceEntryMismatches).toEqual([
        { accountId: wallet.id, balance: 307n, entries: 300n },
      ]);
      await rows(
        tx,
        `UPDATE ledger_balances SET debits_pending = debits_pending + 1 WHERE account_id = $1`,
        [wallet.id],
      );
      // The flag copied onto the balance row drifts from the account's: the row's CHECK no
      // longer protects it, the checker still sees a user wallet below zero.
      await rows(
        tx,
        `UPDATE ledger_balances SET allow_negative = true, debits_posted = debits_posted + 1000
        WHERE account_id = $1`,
        [wallet.id],
      );
      const worse = await ledger.statements.verifyInvariants(tx);
      expect(worse.pendingMismatches).toEqual([
        expect.objectContaining({
          accountId: wallet.id,
          debitsPending: 1n,
          expectedDebitsPending: 0n,
        }),
      ]);
      expect(worse.negativeAccounts).toEqual([
        { accountId: wallet.id, posted: 307n - 1000n, available: 307n - 1000n - 1n },
      ]);
    });
    expect((await ledger.statements.verifyInvariants()).ok).toBe(true);
  });

  it('catches journal lines that do not match their transfer', async () => {
    const wallet = await make.wallet({ balance: 500n });
    const house = await make.system('house');
    const other = await make.wallet();
    const t = await pay(wallet, house, 50n);
    await inRolledBackTransaction(async (tx) => {
      // No FK checks these lines: another account, no account, no transfer, another asset.
      const ghost = randomUUID();
      await rows(
        tx,
        `INSERT INTO ledger_entries (transfer_id, account_id, asset, amount)
         VALUES ($1, $2, 'USD', 1), ($1, $3, 'USD', -1), ($3, $4, 'USD', 1), ($1, $4, 'EUR', -1)`,
        [t.id, other.id, ghost, wallet.id],
      );
      const report = await ledger.statements.verifyInvariants(tx);
      expect(report.ok).toBe(false);
      expect(report.misfiledEntries.map((e) => [e.transferId, e.accountId])).toEqual([
        [t.id, other.id],
        [t.id, ghost],
        [ghost, wallet.id],
        [t.id, wallet.id],
      ]);
    });
    expect((await ledger.statements.verifyInvariants()).ok).toBe(true);
  });

  it('catches transfers whose account is missing or holds another asset', async () => {
    const wallet = await make.wallet({ balance: 500n });
    const euros = await make.wallet({ asset: 'EUR' });
    await inRolledBackTransaction(async (tx) => {
      // No FK checks transfers either: an unknown account, then an account in another asset.
      const ghost = randomUUID();
      const [unknown, mismatched] = [randomUUID(), randomUUID()].sort();
      await rows(
        tx,
        `INSERT INTO ledger_transfers (id, debit_account_id, credit_account_id, asset, amount,
                                       posted_amount, code, status, two_phase, posted_at)
         VALUES ($1, $3, $4, 'USD', 1, 1, 'test', 'posted', false, now()),
                ($2, $3, $5, 'USD', 1, 1, 'test', 'posted', false, now())`,
        [unknown, mismatched, wallet.id, ghost, euros.id],
      );
      const report = await ledger.statements.verifyInvariants(tx);
      expect(report.ok).toBe(false);
      expect(report.orphanTransfers).toEqual([
        { transferId: unknown, debitAccountId: wallet.id, creditAccountId: ghost },
        { transferId: mismatched, debitAccountId: wallet.id, creditAccountId: euros.id },
      ]);
    });
    expect((await ledger.statements.verifyInvariants()).ok).toBe(true);
  });

  it('never lets an account or an asset be deleted or change identity', async () => {
    const wallet = await make.wallet();
    for (const [sql, params] of [
      ['DELETE FROM ledger_accounts WHERE id = $1', [wallet.id]],
      [`UPDATE ledger_accounts SET asset = 'EUR' WHERE id = $1`, [wallet.id]],
      [`DELETE FROM ledger_assets WHERE code = 'JPY'`, []],
      [`UPDATE ledger_assets SET scale = 3 WHERE code = 'JPY'`, []],
    ] as const) {
      await expect(rows(db.manager, sql, [...params])).rejects.toThrow(
        /rows are never deleted and never change identity/,
      );
    }
    expect(await ledger.accounts.getAccount(wallet.id)).toMatchObject({
      id: wallet.id,
      asset: 'USD',
    });
  });

  it('reports a pending transfer left past its timeout', async () => {
    const wallet = await make.wallet({ balance: 500n });
    const house = await make.system('house');
    const pending = await ledger.transfers.transfer({
      id: randomUUID(),
      debitAccountId: wallet.id,
      creditAccountId: house.id,
      amount: 100n,
      asset: 'USD',
      code: 'hold',
      pending: true,
      timeoutSeconds: 30,
    });
    await inRolledBackTransaction(async (tx) => {
      await rows(
        tx,
        `UPDATE ledger_transfers SET timeout_at = now() - interval '1 hour' WHERE id = $1`,
        [pending.id],
      );
      const report = await ledger.statements.verifyInvariants(tx);
      expect(report.expiredPending.map((p) => p.transferId)).toContain(pending.id);
    });
    await ledger.transfers.voidPending(pending.id);
  });
});

/** Thrown to roll a test's corruption back. */
class Rollback extends Error {}
