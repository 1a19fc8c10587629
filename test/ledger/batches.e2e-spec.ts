import { type BatchTransferInput } from '@bourse/ledger';
import { Database, rows } from '@bourse/platform';
import type { INestApplicationContext } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { LedgerFactory, startLedger, usdTransfer, type LedgerServices } from '../factories/ledger';

describe('ledger batches', () => {
  let app: INestApplicationContext;
  let ledger: LedgerServices;
  let db: Database;
  let make: LedgerFactory;

  beforeAll(async () => {
    ({ app, ledger, db } = await startLedger());
    make = new LedgerFactory(ledger);
  });

  afterAll(() => app.close());

  const move = usdTransfer<BatchTransferInput>;

  it('applies a linked chain whole, or rolls the whole chain back when one leg fails', async () => {
    const buyer = await make.wallet({ balance: 1_000n });
    const house = await make.system('house');
    const fees = await make.system('fees');
    const price = move(buyer, house, 900n, { linked: true });
    const fee = move(buyer, fees, 50n);
    const ok = await ledger.transfers.transferMany([price, fee]);
    expect(ok.map((r) => r.result)).toEqual(['created', 'created']);
    expect(await make.posted(buyer.id)).toBe(50n);

    // The second chain's fee lacks funds: its price leg is undone with it; the unlinked
    // transfers on either side are unaffected.
    const before = move(house, buyer, 10n);
    const price2 = move(buyer, house, 40n, { linked: true });
    const fee2 = move(buyer, fees, 100n, { linked: true });
    const tail = move(buyer, fees, 1n);
    const after = move(buyer, house, 5n);
    const results = await ledger.transfers.transferMany([before, price2, fee2, tail, after]);
    expect(results.map((r) => r.result)).toEqual([
      'created',
      'ledger.linked_failed',
      'ledger.insufficient_funds',
      'ledger.linked_failed',
      'created',
    ]);
    expect(await make.posted(buyer.id)).toBe(50n + 10n - 5n);
    expect(await ledger.transfers.getTransfer(price2.id)).toBeUndefined();
    // The failed ids are free: a corrected retry of the chain goes through.
    const retried = await ledger.transfers.transferMany([
      { ...price2 },
      { ...fee2, amount: 10n },
      { ...tail },
    ]);
    expect(retried.every((r) => r.ok)).toBe(true);
  });

  it('fails an unlinked bad transfer alone, answering each with its own result', async () => {
    const wallet = await make.wallet({ balance: 100n });
    const eur = await make.wallet({ asset: 'EUR' });
    const house = await make.system('house');
    const existing = move(wallet, house, 1n);
    await ledger.transfers.transfer(existing);
    const results = await ledger.transfers.transferMany([
      move(wallet, house, 10n),
      move(wallet, eur, 10n),
      move(wallet, { id: randomUUID() }, 10n),
      move(wallet, house, 1_000n),
      { ...existing },
      { ...existing, id: existing.id, amount: 2n },
      move(wallet, house, 0n),
      move(wallet, house, 20n),
    ]);
    expect(results.map((r) => r.result)).toEqual([
      'created',
      'ledger.asset_mismatch',
      'ledger.account_not_found',
      'ledger.insufficient_funds',
      'already_exists',
      'ledger.invalid_transfer', // the id repeats within the batch
      'ledger.invalid_transfer',
      'created',
    ]);
    expect(await make.posted(wallet.id)).toBe(100n - 1n - 10n - 20n);
  });

  it('refuses the chain that would overflow a balance, and only that chain', async () => {
    const max = 9_223_372_036_854_775_807n;
    const wallet = await make.wallet({ balance: max - 10n });
    const house = await make.system('house');
    const results = await ledger.transfers.transferMany([
      move(house, wallet, 10n),
      move(house, wallet, 1n, { linked: true }),
      move(wallet, house, 5n),
      move(wallet, house, 3n),
    ]);
    expect(results.map((r) => r.result)).toEqual([
      'created',
      'ledger.balance_overflow',
      'ledger.linked_failed',
      'created',
    ]);
    expect(await make.posted(wallet.id)).toBe(max - 3n);
  });

  it('checks a user balance against every earlier debit of the same batch', async () => {
    const wallet = await make.wallet({ balance: 100n });
    const house = await make.system('house');
    const results = await ledger.transfers.transferMany(
      Array.from({ length: 15 }, () => move(wallet, house, 10n)),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(10);
    expect(results.slice(10).every((r) => r.result === 'ledger.insufficient_funds')).toBe(true);
    expect(await make.posted(wallet.id)).toBe(0n);
    const page = await ledger.statements.statement(wallet.id, { limit: 11 });
    expect(page.entries.map((e) => e.balanceAfter)).toEqual([
      0n,
      10n,
      20n,
      30n,
      40n,
      50n,
      60n,
      70n,
      80n,
      90n,
      100n,
    ]);
  });

  it('answers a linked chain that never closes with linked_chain_open', async () => {
    const wallet = await make.wallet({ balance: 100n });
    const house = await make.system('house');
    const results = await ledger.transfers.transferMany([
      move(wallet, house, 1n),
      move(wallet, house, 1n, { linked: true }),
    ]);
    expect(results.map((r) => r.result)).toEqual(['created', 'ledger.linked_chain_open']);
    await expect(
      ledger.transfers.transferMany(Array.from({ length: 1001 }, () => move(wallet, house, 1n))),
    ).rejects.toMatchObject({ code: 'ledger.batch_too_large' });
  });

  it('throws the failing leg of transferLinked and applies nothing', async () => {
    const wallet = await make.wallet({ balance: 100n });
    const house = await make.system('house');
    const fees = await make.system('fees');
    await expect(
      ledger.transfers.transferLinked([move(wallet, house, 90n), move(wallet, fees, 20n)]),
    ).rejects.toMatchObject({ code: 'ledger.insufficient_funds' });
    expect(await make.posted(wallet.id)).toBe(100n);
    const legs = await ledger.transfers.transferLinked([
      move(wallet, house, 90n),
      move(wallet, fees, 10n),
    ]);
    expect(legs.map((t) => t.status)).toEqual(['posted', 'posted']);
  });

  it('posts 1,000 transfers in one call with a constant number of statements', async () => {
    const wallets = await Promise.all(
      Array.from({ length: 50 }, () => make.wallet({ balance: 1_000n })),
    );
    const house = await make.system('house');
    const fees = await make.system('fees');
    const inputs = Array.from({ length: 1000 }, (_, i) => {
      const wallet = wallets[i % wallets.length]!;

      // Twenty transfers of 55 per wallet: 18 fit in the 1,000 balance, the last two do not.
      return i % 2 ? move(wallet, house, 55n) : move(wallet, fees, 55n, { pending: i % 4 === 0 });
    });
    const queries: string[] = [];
    const results = await db.dataSource.transaction(async (tx) => {
      const query = tx.query.bind(tx);
      tx.query = ((sql: string, params?: unknown[]) => {
        queries.push(sql);

        return query(sql, params);
      }) as typeof tx.query;

      return ledger.transfers.transferMany(inputs, tx);
    });
    // accounts, insert transfers, lock balances, delete refused, update balances, insert entries
    expect(queries.length).toBeLessThanOrEqual(7);
    expect(results.filter((r) => r.ok)).toHaveLength(wallets.length * 18);
    expect(results.filter((r) => r.result === 'ledger.insufficient_funds')).toHaveLength(
      wallets.length * 2,
    );
    for (const wallet of wallets) {
      expect((await ledger.accounts.getAccount(wallet.id))!.balance.available).toBe(10n);
    }

    // The same batch again: every transfer answers already_exists (or its failure again).
    const again = await ledger.transfers.transferMany(inputs);
    expect(again.filter((r) => r.result === 'already_exists')).toHaveLength(wallets.length * 18);
    const [{ count }] = await rows<{ count: number }>(
      db.manager,
      `SELECT count(*)::int AS count FROM ledger_transfers WHERE id = ANY($1::uuid[])`,
      [inputs.map((i) => i.id)],
    );
    expect(count).toBe(wallets.length * 18);
    expect((await ledger.statements.verifyInvariants()).ok).toBe(true);
  });

  it('commits a business change and its transfers together in the caller transaction', async () => {
    const wallet = await make.wallet({ balance: 100n });
    const house = await make.system('house');
    const input = move(wallet, house, 60n);
    await expect(
      db.transaction(undefined, async (tx) => {
        await ledger.transfers.transfer(input, tx);
        throw new Error('the business change failed');
      }),
    ).rejects.toThrow('the business change failed');
    expect(await ledger.transfers.getTransfer(input.id)).toBeUndefined();
    expect(await make.posted(wallet.id)).toBe(100n);
  });

  it('locks and updates the balance rows of a batch by index, never scanning the table', async () => {
    // Enough wallets that a join of the batch's keys with ledger_balances was planned as a
    // sequential scan and hash of the whole table (its cost grew with the ledger).
    const ids = await rows<{ id: string }>(
      db.manager,
      `WITH account AS (
         INSERT INTO ledger_accounts (id, asset, owner, kind, allow_negative, shards, metadata)
         SELECT gen_random_uuid(), 'USD', gen_random_uuid()::text, 'user_wallet', false, 1, '{}'
           FROM generate_series(1, 5000)
         RETURNING id)
       INSERT INTO ledger_balances (account_id, shard, allow_negative)
       SELECT id, 0, false FROM account
       RETURNING account_id AS id`,
    );
    await db.manager.query('ANALYZE ledger_balances');
    const clearing = await make.system('psp_clearing');
    const credited = ids.slice(0, 200);
    const seqScans = await db.transaction(undefined, async (tx) => {
      // This backend's counts not yet flushed (earlier transactions' too, since Postgres 15):
      // the difference across the batch is the batch's own.
      const scans = async (): Promise<number> => {
        const [stats] = await rows<{ seqScans: number }>(
          tx,
          `SELECT seq_scan::int AS "seqScans" FROM pg_stat_xact_user_tables
            WHERE relname = 'ledger_balances'`,
        );

        return stats?.seqScans ?? 0;
      };
      const before = await scans();
      const results = await ledger.transfers.transferMany(
        credited.map((wallet) => move(clearing, wallet, 7n)),
        tx,
      );
      expect(results.every((r) => r.result === 'created')).toBe(true);

      return (await scans()) - before;
    });
    expect(seqScans).toBe(0);
    for (const wallet of credited.slice(0, 5)) {
      expect(await make.posted(wallet.id)).toBe(7n);
    }
    expect((await ledger.statements.verifyInvariants()).ok).toBe(true);
  });
});
