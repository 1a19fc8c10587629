import { Database, rows } from '@bourse/platform';
import type { INestApplicationContext } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { LedgerFactory, startLedger, usdTransfer, type LedgerServices } from '../factories/ledger';

describe('ledger two-phase transfers', () => {
  let app: INestApplicationContext;
  let ledger: LedgerServices;
  let db: Database;
  let make: LedgerFactory;

  beforeAll(async () => {
    ({ app, ledger, db } = await startLedger());
    make = new LedgerFactory(ledger);
  });

  afterAll(() => app.close());

  const hold = (
    from: { id: string },
    to: { id: string },
    amount: bigint,
    timeoutSeconds?: number,
  ) => usdTransfer(from, to, amount, { pending: true, ...(timeoutSeconds && { timeoutSeconds }) });

  it('reserves funds against the available balance, then posts exactly once', async () => {
    const wallet = await make.wallet({ balance: 1_000n });
    const house = await make.system('house');
    const pending = await ledger.transfers.transfer(hold(wallet, house, 600n));
    expect(pending).toMatchObject({ status: 'pending', pending: true });
    expect((await ledger.accounts.getAccount(wallet.id))!.balance).toMatchObject({
      posted: 1_000n,
      available: 400n,
      debitsPending: 600n,
    });
    await expect(ledger.transfers.transfer(hold(wallet, house, 401n))).rejects.toMatchObject({
      code: 'ledger.insufficient_funds',
    });

    const posted = await ledger.transfers.postPending(pending.id);
    expect(posted).toMatchObject({ status: 'posted', postedAmount: 600n });
    expect(await ledger.transfers.postPending(pending.id)).toEqual(posted); // a retry returns it
    await expect(ledger.transfers.postPending(pending.id, { amount: 500n })).rejects.toMatchObject({
      code: 'ledger.transfer_state',
    });
    await expect(ledger.transfers.voidPending(pending.id)).rejects.toMatchObject({
      code: 'ledger.transfer_state',
    });
    expect((await ledger.accounts.getAccount(wallet.id))!.balance).toMatchObject({
      posted: 400n,
      available: 400n,
    });
    expect(await make.posted(house.id)).toBe(600n);
  });

  it('posts a smaller amount and releases the rest of the hold', async () => {
    const wallet = await make.wallet({ balance: 1_000n });
    const house = await make.system('house');
    const pending = await ledger.transfers.transfer(hold(wallet, house, 600n));
    await expect(ledger.transfers.postPending(pending.id, { amount: 601n })).rejects.toMatchObject({
      code: 'ledger.invalid_transfer',
    });
    expect(await ledger.transfers.postPending(pending.id, { amount: 250n })).toMatchObject({
      postedAmount: 250n,
    });
    expect((await ledger.accounts.getAccount(wallet.id))!.balance).toMatchObject({
      posted: 750n,
      available: 750n,
      debitsPending: 0n,
    });
    const lines = await ledger.statements.statement(wallet.id, { limit: 10 });
    expect(lines.entries[0]).toMatchObject({
      transferId: pending.id,
      side: 'debit',
      amount: 250n,
      balanceAfter: 750n,
    });
  });

  it('voids a hold, releasing it; voiding again returns it, posting it fails', async () => {
    const wallet = await make.wallet({ balance: 100n });
    const house = await make.system('house');
    const pending = await ledger.transfers.transfer(hold(wallet, house, 100n));
    expect(await make.available(wallet.id)).toBe(0n);
    const voided = await ledger.transfers.voidPending(pending.id);
    expect(voided.status).toBe('voided');
    expect(await ledger.transfers.voidPending(pending.id)).toEqual(voided);
    await expect(ledger.transfers.postPending(pending.id)).rejects.toMatchObject({
      code: 'ledger.transfer_state',
    });
    expect(await make.available(wallet.id)).toBe(100n);
    await expect(ledger.transfers.postPending(randomUUID())).rejects.toMatchObject({
      code: 'ledger.transfer_not_found',
    });
  });

  it('refuses to post a hold that would overflow a balance, leaving it pending', async () => {
    const max = 9_223_372_036_854_775_807n;
    const wallet = await make.wallet({ balance: max - 5n });
    const house = await make.system('house');
    const pending = await ledger.transfers.transfer(hold(house, wallet, 10n));
    await expect(ledger.transfers.postPending(pending.id)).rejects.toMatchObject({
      code: 'ledger.balance_overflow',
      status: 422,
    });
    expect((await ledger.transfers.getTransfer(pending.id))!.status).toBe('pending');
    expect((await ledger.transfers.postPending(pending.id, { amount: 5n })).postedAmount).toBe(5n);
    expect(await make.posted(wallet.id)).toBe(max);
  });

  it('lets exactly one of a concurrent post and void win', async () => {
    const wallet = await make.wallet({ balance: 10_000n });
    const house = await make.system('house');
    for (let round = 0; round < 10; round++) {
      const pending = await ledger.transfers.transfer(hold(wallet, house, 100n));
      const [post, voided] = await Promise.allSettled([
        ledger.transfers.postPending(pending.id),
        ledger.transfers.voidPending(pending.id),
      ]);
      expect([post.status, voided.status].filter((s) => s === 'fulfilled')).toHaveLength(1);
      const final = (await ledger.transfers.getTransfer(pending.id))!;
      expect(final.status).toBe(post.status === 'fulfilled' ? 'posted' : 'voided');
    }
    const { balance } = (await ledger.accounts.getAccount(wallet.id))!;
    expect(balance.debitsPending).toBe(0n);
    expect((await ledger.statements.verifyInvariants()).ok).toBe(true);
  });

  it('voids expired holds through voidExpired, and voidIfPending only while pending', async () => {
    const wallet = await make.wallet({ balance: 1_000n });
    const house = await make.system('house');
    const expiring = await ledger.transfers.transfer(hold(wallet, house, 300n, 60));
    const lasting = await ledger.transfers.transfer(hold(wallet, house, 200n, 3600));
    expect(expiring.timeoutAt!.getTime() - expiring.createdAt.getTime()).toBe(60_000);

    // Nothing of ours is due yet (other suites' holds may be, the count is theirs).
    await ledger.transfers.voidExpired(new Date(), 100);
    expect((await ledger.transfers.getTransfer(expiring.id))!.status).toBe('pending');
    // Posting after the timeout is refused even before the sweeper ran.
    await rows(
      db.manager,
      `UPDATE ledger_transfers SET timeout_at = now() - interval '1 second' WHERE id = $1`,
      [expiring.id],
    );
    await expect(ledger.transfers.postPending(expiring.id)).rejects.toMatchObject({
      code: 'ledger.pending_expired',
    });
    expect(await ledger.transfers.voidExpired(new Date(), 100)).toBeGreaterThanOrEqual(1);
    expect((await ledger.transfers.getTransfer(expiring.id))!.status).toBe('voided');
    expect((await ledger.transfers.getTransfer(lasting.id))!.status).toBe('pending');
    expect(await make.available(wallet.id)).toBe(800n);

    expect(await ledger.transfers.voidIfPending(lasting.id)).toBe('voided');
    expect(await ledger.transfers.voidIfPending(lasting.id)).toBe('skipped');
    expect(await ledger.transfers.voidIfPending(randomUUID())).toBe('skipped');
    expect(await make.available(wallet.id)).toBe(1_000n);
  });

  it('holds on a hot account release on whichever shard and still sum exactly', async () => {
    const clearing = await make.system('psp_clearing');
    const house = await make.system('house');
    const holds = await Promise.all(
      Array.from({ length: 30 }, () => ledger.transfers.transfer(hold(clearing, house, 10n))),
    );
    await Promise.all(
      holds.map((t, i) =>
        i % 2
          ? ledger.transfers.postPending(t.id, { amount: 4n })
          : ledger.transfers.voidPending(t.id),
      ),
    );
    const { balance } = (await ledger.accounts.getAccount(house.id))!;
    expect(balance).toMatchObject({ posted: 15n * 4n, pending: 0n, creditsPending: 0n });
    expect((await ledger.statements.verifyInvariants()).ok).toBe(true);
  });
});
