import { Database, rows } from '@bourse/platform';
import type { INestApplicationContext } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { LedgerFactory, startLedger, usdTransfer, type LedgerServices } from '../factories/ledger';

const INT64_MAX = 9_223_372_036_854_775_807n;

describe('ledger transfers', () => {
  let app: INestApplicationContext;
  let ledger: LedgerServices;
  let db: Database;
  let make: LedgerFactory;

  beforeAll(async () => {
    ({ app, ledger, db } = await startLedger());
    make = new LedgerFactory(ledger);
  });

  afterAll(() => app.close());

  const move = usdTransfer;

  const entriesOf = (transferId: string): Promise<{ amount: string }[]> =>
    rows(db.manager, `SELECT amount FROM ledger_entries WHERE transfer_id = $1`, [transferId]);

  it('seeds the common assets with their scales', async () => {
    expect(await ledger.accounts.getAsset('USD')).toEqual({
      code: 'USD',
      scale: 2,
      name: 'US dollar',
    });
    expect((await ledger.accounts.getAsset('XAU'))?.scale).toBe(3);
  });

  it('creates accounts idempotently by id and refuses a different account under the same id', async () => {
    const id = randomUUID();
    const input = {
      id,
      asset: 'EUR',
      owner: 'u1',
      kind: 'user_wallet' as const,
      metadata: { a: 1, b: 2 },
    };
    const first = await ledger.accounts.createAccount(input);
    const again = await ledger.accounts.createAccount({ ...input, metadata: { b: 2, a: 1 } });
    expect(again).toEqual(first);
    await expect(ledger.accounts.createAccount({ ...input, asset: 'USD' })).rejects.toMatchObject({
      code: 'ledger.account_conflict',
    });
    await expect(
      ledger.accounts.createAccount({
        asset: 'USD',
        owner: 'u1',
        kind: 'user_wallet',
        allowNegative: true,
      }),
    ).rejects.toMatchObject({ code: 'ledger.invalid_account' });
    await expect(
      ledger.accounts.createAccount({ asset: 'DOGE', owner: 'u1', kind: 'user_wallet' }),
    ).rejects.toMatchObject({ code: 'ledger.asset_not_found' });
  });

  it('posts a transfer: balances move, two journal lines, debits equal credits', async () => {
    const wallet = await make.wallet({ balance: 10_000n });
    const house = await make.system('house');
    const t = await ledger.transfers.transfer(
      move(wallet, house, 2_500n, { metadata: { orderId: 'o-1' } }),
    );
    expect(t).toMatchObject({
      status: 'posted',
      amount: 2_500n,
      postedAmount: 2_500n,
      pending: false,
    });
    expect(t.metadata).toEqual({ orderId: 'o-1' });
    expect((await ledger.accounts.getAccount(wallet.id))!.balance).toMatchObject({
      posted: 7_500n,
      available: 7_500n,
      pending: 0n,
    });
    expect(await make.posted(house.id)).toBe(2_500n);
    expect((await entriesOf(t.id)).map((e) => e.amount).sort()).toEqual(['-2500', '2500']);
    expect(await ledger.accounts.accountsOf(wallet.owner)).toHaveLength(1);
  });

  it('rejects a transfer between accounts of different assets', async () => {
    const usd = await make.wallet({ balance: 100n });
    const eur = await make.wallet({ asset: 'EUR' });
    await expect(ledger.transfers.transfer(move(usd, eur, 10n))).rejects.toMatchObject({
      code: 'ledger.asset_mismatch',
    });
    await expect(
      ledger.transfers.transfer(move(usd, eur, 10n, { asset: 'EUR' })),
    ).rejects.toMatchObject({
      code: 'ledger.asset_mismatch',
    });
    expect(await make.posted(usd.id)).toBe(100n);
  });

  it('refuses malformed transfers and unknown accounts', async () => {
    const wallet = await make.wallet({ balance: 100n });
    const house = await make.system('house');
    for (const bad of [
      move(wallet, house, 0n),
      move(wallet, house, -5n),
      move(wallet, wallet, 5n),
      move(wallet, house, 5n, { timeoutSeconds: 10 }),
    ]) {
      await expect(ledger.transfers.transfer(bad)).rejects.toMatchObject({
        code: 'ledger.invalid_transfer',
      });
    }
    await expect(
      ledger.transfers.transfer(move(wallet, { id: randomUUID() }, 5n)),
    ).rejects.toMatchObject({
      code: 'ledger.account_not_found',
    });
  });

  it('keeps a user wallet from going negative; an allow-negative account may', async () => {
    const wallet = await make.wallet({ balance: 100n });
    const house = await make.system('house');
    await expect(ledger.transfers.transfer(move(wallet, house, 101n))).rejects.toMatchObject({
      code: 'ledger.insufficient_funds',
      status: 422,
    });
    await ledger.transfers.transfer(move(house, wallet, 50n));
    expect(await make.posted(house.id)).toBe(-50n);
  });

  it('refuses a transfer that would take a balance past 2^63-1 with ledger.balance_overflow', async () => {
    // An unsharded clearing account, so the debit that reaches the limit lands on its one row.
    const single = await startLedger({ LEDGER_HOT_ACCOUNT_SHARDS: '1' });
    const clearing = await new LedgerFactory(single.ledger).system('psp_clearing');
    await single.app.close();
    const wallet = await make.wallet();
    await ledger.transfers.transfer(move(clearing, wallet, INT64_MAX));
    const house = await make.system('house');
    const other = await make.wallet();
    // The credit side would pass the limit, then the debit side.
    for (const [from, to] of [
      [house, wallet],
      [clearing, other],
    ]) {
      await expect(ledger.transfers.transfer(move(from!, to!, 1n))).rejects.toMatchObject({
        code: 'ledger.balance_overflow',
        status: 422,
      });
    }
    expect(await make.posted(wallet.id)).toBe(INT64_MAX);
    expect(await make.posted(clearing.id)).toBe(-INT64_MAX);
    expect(await make.posted(other.id)).toBe(0n);
    await ledger.transfers.transfer(move(wallet, house, 1n)); // the wallet still works
  });

  it('leaves a caller transaction usable after an overflow refusal', async () => {
    const wallet = await make.wallet({ balance: INT64_MAX });
    const house = await make.system('house');
    await db.transaction(undefined, async (tx) => {
      await expect(ledger.transfers.transfer(move(house, wallet, 1n), tx)).rejects.toMatchObject({
        code: 'ledger.balance_overflow',
      });
      await ledger.transfers.transfer(move(wallet, house, 5n), tx);
    });
    expect(await make.posted(wallet.id)).toBe(INT64_MAX - 5n);
  });

  it('lets exactly ten of a hundred concurrent withdrawals through', async () => {
    const wallet = await make.wallet({ balance: 1_000n });
    const psp = await make.system('psp_clearing');
    const results = await Promise.allSettled(
      Array.from({ length: 100 }, () =>
        ledger.transfers.transfer(move(wallet, psp, 100n, { code: 'withdrawal' })),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(10);
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(
      rejected.every((r) => (r.reason as { code: string }).code === 'ledger.insufficient_funds'),
    ).toBe(true);
    expect(await make.posted(wallet.id)).toBe(0n);
    expect(await make.posted(psp.id)).toBe(1_000n);
  });

  it('records one transfer for twenty concurrent requests with the same id', async () => {
    const wallet = await make.wallet({ balance: 1_000n });
    const house = await make.system('house');
    const input = move(wallet, house, 300n, { metadata: { orderId: 'same' } });
    const results = await Promise.all(
      Array.from({ length: 20 }, () => ledger.transfers.transfer({ ...input })),
    );
    expect(new Set(results.map((t) => t.id))).toEqual(new Set([input.id]));
    expect(await entriesOf(input.id)).toHaveLength(2);
    expect(await make.posted(wallet.id)).toBe(700n);
  });

  it('answers the same id with different fields with ledger.id_conflict', async () => {
    const wallet = await make.wallet({ balance: 1_000n });
    const house = await make.system('house');
    const input = move(wallet, house, 300n);
    await ledger.transfers.transfer(input);
    for (const changed of [
      { amount: 301n },
      { code: 'other' },
      { metadata: { x: 1 } },
      { pending: true },
    ]) {
      await expect(ledger.transfers.transfer({ ...input, ...changed })).rejects.toMatchObject({
        code: 'ledger.id_conflict',
        status: 409,
      });
    }
    expect(await make.posted(wallet.id)).toBe(700n);
  });

  it('posts a transfer outside a transaction as one autocommit statement', async () => {
    const wallet = await make.wallet({ balance: 100n });
    const house = await make.system('house');
    const sent: string[] = [];
    const query = db.manager.query.bind(db.manager);
    const spy = jest.spyOn(db.manager, 'query').mockImplementation((sql: string, params) => {
      sent.push(sql);

      return query(sql, params);
    });
    try {
      await ledger.transfers.transfer(move(wallet, house, 10n));
      await expect(ledger.transfers.transfer(move(wallet, house, 91n))).rejects.toMatchObject({
        code: 'ledger.insufficient_funds',
      });
    } finally {
      spy.mockRestore();
    }
    expect(sent).toHaveLength(2);
    expect(sent.every((sql) => sql.includes('ledger_post_transfer'))).toBe(true);
  });

  it('joins a caller transaction: a refusal leaves it usable, its rollback undoes the transfer', async () => {
    const wallet = await make.wallet({ balance: 100n });
    const house = await make.system('house');
    const refused = move(wallet, house, 71n);
    await db.transaction(undefined, async (tx) => {
      await ledger.transfers.transfer(move(wallet, house, 30n), tx);
      await expect(ledger.transfers.transfer(refused, tx)).rejects.toMatchObject({
        code: 'ledger.insufficient_funds',
      });
      expect((await ledger.accounts.getAccount(wallet.id, tx))!.balance.available).toBe(70n);
    });
    const undone = move(wallet, house, 20n);
    await expect(
      db.transaction(undefined, async (tx) => {
        await ledger.transfers.transfer(undone, tx);
        throw new Error('the business change failed');
      }),
    ).rejects.toThrow('the business change failed');
    expect(await ledger.transfers.getTransfer(undone.id)).toBeUndefined();
    expect(await make.posted(wallet.id)).toBe(70n);
    // A refused id stays free: the corrected retry goes through.
    await ledger.transfers.transfer({ ...refused, amount: 70n });
    expect(await make.posted(wallet.id)).toBe(0n);
  });

  it('spreads concurrent transfers to a hot account over its shards and keeps its balance exact', async () => {
    const house = await make.system('house');
    const clearing = await make.system('psp_clearing');
    const wallets = await Promise.all(
      Array.from({ length: 20 }, () => make.wallet({ balance: 1_000n })),
    );
    const transfers = [
      ...wallets.flatMap((w) => Array.from({ length: 5 }, () => move(w, house, 7n))),
      ...Array.from({ length: 100 }, () => move(clearing, house, 3n)),
    ];
    const results = await Promise.allSettled(transfers.map((t) => ledger.transfers.transfer(t)));
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    expect(await make.posted(house.id)).toBe(20n * 5n * 7n + 100n * 3n);
    const [{ shards }] = await rows<{ shards: number }>(
      db.manager,
      `SELECT count(*)::int AS shards FROM ledger_balances
        WHERE account_id = $1 AND credits_posted > 0`,
      [house.id],
    );
    expect(shards).toBeGreaterThan(1);
    expect(shards).toBeLessThanOrEqual(house.shards);
  });
});
