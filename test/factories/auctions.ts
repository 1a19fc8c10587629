import { AuctionClosingService } from '@bourse/auctions';
import { rows, type Database } from '@bourse/platform';
import { randomUUID } from 'node:crypto';
import type { TestServer } from '../setup/apps';
import type { LedgerServices } from './ledger';
import type { SignedInUser } from './users';

/** A lot created over HTTP by `admin`; `body` sets or overrides any field. */
export async function createAuction(
  api: TestServer,
  admin: SignedInUser,
  body: Record<string, unknown> = {},
): Promise<Record<string, any>> {
  const res = await api.request('POST', '/v1/auctions', {
    token: admin.accessToken,
    body: { title: 'Lot', startingPrice: '10000', extendSeconds: 30, ...body },
  });
  if (res.status !== 201) {
    throw new Error(`create failed: ${res.status} ${JSON.stringify(res.body)}`);
  }

  return res.body;
}

/** `cents` deposited into the user's USD wallet from clearing. */
export async function fund(ledger: LedgerServices, userId: string, cents: bigint): Promise<void> {
  const clearing = await ledger.accounts.ensureSystemAccount('psp_clearing', 'USD');
  const wallet = await ledger.accounts.ensureWallet(userId, 'USD');
  await ledger.transfers.transfer({
    id: randomUUID(),
    debitAccountId: clearing.id,
    creditAccountId: wallet.id,
    amount: cents,
    asset: 'USD',
    code: 'deposit',
  });
}

/** The user's USD wallet balance: posted and available (posted less holds). */
export async function usd(
  ledger: LedgerServices,
  userId: string,
): Promise<{ posted: bigint; available: bigint }> {
  const wallet = await ledger.accounts.ensureWallet(userId, 'USD');
  const { balance } = (await ledger.accounts.getAccount(wallet.id))!;

  return { posted: balance.posted, available: balance.available };
}

/** Moves the lot's end (and start) into the past, as if its time had run out. */
export async function expire(db: Database, auctionId: string): Promise<void> {
  await rows(
    db.manager,
    `UPDATE auctions SET starts_at = least(starts_at, now() - interval '2 seconds'),
       ends_at = now() - interval '1 second' WHERE id = $1`,
    [auctionId],
  );
}

export const closeNow = (api: TestServer, auctionId: string) =>
  api.app.get(AuctionClosingService).close(auctionId);
