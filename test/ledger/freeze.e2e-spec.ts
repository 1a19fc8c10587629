import { type Account } from '@bourse/ledger';
import { Database } from '@bourse/platform';
import type { INestApplicationContext } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { LedgerFactory, startLedger, usdTransfer, type LedgerServices } from '../factories/ledger';
import { holdOpen, lockWaitSeen } from '../setup/locks';

describe('frozen accounts', () => {
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
  const frozenError = (account: Account) => ({
    code: 'ledger.account_frozen',
    accountId: account.id,
  });

  const balanceLockWaited = () => lockWaitSeen(db, ['ledger_balances', 'ledger_post_transfer']);

  it('refuses transfers out of and into a frozen account, writing nothing, until unfrozen', async () => {
    const wallet = await make.wallet({ balance: 1_000n });
    const house = await make.system('house');

    const frozen = await ledger.accounts.setFrozen(wallet.id, true);
    const out = ledger.transfers.transfer(move(wallet, house, 100n));
    const into = move(house, wallet, 100n);

    expect(frozen.frozenAt).toEqual(expect.any(Date));
    await expect(out).rejects.toMatchObject(frozenError(wallet));
    await expect(ledger.transfers.transfer(into)).rejects.toMatchObject(frozenError(wallet));
    expect(await ledger.transfers.getTransfer(into.id)).toBeUndefined();
    expect((await ledger.accounts.getAccount(wallet.id))!.balance.posted).toBe(1_000n);

    // Freezing again keeps the first time; unfreezing lets money move again.
    expect((await ledger.accounts.setFrozen(wallet.id, true)).frozenAt).toEqual(frozen.frozenAt);
    expect((await ledger.accounts.setFrozen(wallet.id, false)).frozenAt).toBeNull();
    await ledger.transfers.transfer(into);
    expect(await make.posted(wallet.id)).toBe(1_100n);
  });

  it('refuses batch members touching a frozen account, sinking their chains, and applies the rest', async () => {
    const wallet = await make.wallet({ balance: 1_000n });
    const other = await make.wallet({ balance: 1_000n });
    const house = await make.system('house');
    await ledger.accounts.setFrozen(wallet.id, true);

    const results = await ledger.transfers.transferMany([
      move(wallet, house, 10n),
      { ...move(other, house, 20n), linked: true },
      move(house, wallet, 30n),
      move(other, house, 40n),
    ]);

    expect(results.map((r) => r.result)).toEqual([
      'ledger.account_frozen',
      'ledger.linked_failed',
      'ledger.account_frozen',
      'created',
    ]);
    expect(await make.posted(wallet.id)).toBe(1_000n);
    expect(await make.posted(other.id)).toBe(960n);
  });

  it('freezes every shard of a hot system account', async () => {
    const house = await make.system('house');
    const wallet = await make.wallet({ balance: 100n });
    await ledger.accounts.setFrozen(house.id, true);

    for (let i = 0; i < 5; i++) {
      await expect(ledger.transfers.transfer(move(house, wallet, 1n))).rejects.toMatchObject(
        frozenError(house),
      );
    }
    const [batch] = await ledger.transfers.transferMany([move(wallet, house, 1n)]);
    expect(batch!.result).toBe('ledger.account_frozen');
  });

  it('lets a hold placed before the freeze be posted or voided', async () => {
    const wallet = await make.wallet({ balance: 1_000n });
    const merchant = await make.system('psp_clearing');
    const posting = await ledger.transfers.transfer(
      move(wallet, merchant, 300n, { pending: true }),
    );
    const voiding = await ledger.transfers.transfer(
      move(wallet, merchant, 200n, { pending: true }),
    );
    await ledger.accounts.setFrozen(wallet.id, true);

    expect((await ledger.transfers.postPending(posting.id)).status).toBe('posted');
    expect((await ledger.transfers.voidPending(voiding.id)).status).toBe('voided');
    expect((await ledger.accounts.getAccount(wallet.id))!.balance).toMatchObject({
      posted: 700n,
      available: 700n,
    });
  });

  it('waits for a transfer in flight on the account, and refuses one that waited for it', async () => {
    const wallet = await make.wallet({ balance: 1_000n });
    const house = await make.system('house');

    // A transfer not yet committed holds the wallet's balance row: the freeze waits for it.
    const inFlight = move(wallet, house, 100n);
    const commitTransfer = await holdOpen(db, (tx) => ledger.transfers.transfer(inFlight, tx));
    const freezing = ledger.accounts.setFrozen(wallet.id, true);
    await balanceLockWaited();
    await commitTransfer();
    await freezing;
    expect((await ledger.transfers.getTransfer(inFlight.id))?.status).toBe('posted');

    // A freeze not yet committed: transfers arriving now wait, then see it.
    await ledger.accounts.setFrozen(wallet.id, false);
    const commitFreeze = await holdOpen(db, (tx) => ledger.accounts.setFrozen(wallet.id, true, tx));
    const single = ledger.transfers.transfer(move(wallet, house, 1n));
    const batch = ledger.transfers.transferMany([move(house, wallet, 1n)]);
    await balanceLockWaited();
    await commitFreeze();

    await expect(single).rejects.toMatchObject(frozenError(wallet));
    expect((await batch)[0]!.result).toBe('ledger.account_frozen');
    expect(await make.posted(wallet.id)).toBe(900n);
  });

  it('answers an unknown account with ledger.account_not_found', async () => {
    await expect(ledger.accounts.setFrozen(randomUUID(), true)).rejects.toMatchObject({
      code: 'ledger.account_not_found',
    });
  });
});
