import {
  AccountsService,
  InsufficientFundsError,
  TransfersService,
  type TransferInput,
} from '@bourse/ledger';
import { APP_CONFIG, newId, type Tx } from '@bourse/platform';
import { Inject, Injectable } from '@nestjs/common';
import type { AuctionsAppConfig } from './auctions.config';
import { BidNotCoveredError } from './auctions.errors';
import type { Auction, Settlement } from './auctions.types';

/**
 * The money of bidding, always in the caller's transaction: a bid's hold on the bidder's wallet
 * (pending to the house; the ledger checks the available balance), released when outbid, and
 * posted at settlement with the house fee leg.
 */
@Injectable()
export class AuctionFunds {
  /** System account ids never change once made: looked up once per process. */
  private readonly houseAccounts = new Map<string, Promise<string>>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AuctionsAppConfig,
    private readonly accounts: AccountsService,
    private readonly transfers: TransfersService,
  ) {}

  /** Holds `amount` under the bid's id; refused (nothing written) when the wallet lacks it. */
  async hold(
    tx: Tx,
    bid: { id: string; bidderId: string; auctionId: string },
    currency: string,
    amount: bigint,
  ): Promise<void> {
    const wallet = await this.accounts.ensureWallet(bid.bidderId, currency, tx);
    const house = await this.systemAccount('house', currency, tx);
    try {
      await this.transfers.transfer(
        {
          id: bid.id,
          debitAccountId: wallet.id,
          creditAccountId: house,
          amount,
          asset: currency,
          code: 'auctions.bid_hold',
          metadata: { auctionId: bid.auctionId },
          pending: true,
        },
        tx,
      );
    } catch (error) {
      throw error instanceof InsufficientFundsError
        ? new BidNotCoveredError(amount, currency)
        : error;
    }
  }

  release(tx: Tx, holdId: string): Promise<unknown> {
    return this.transfers.voidPending(holdId, tx);
  }

  /**
   * The close's money: sold, the winner's hold is posted at the hammer price (the rest released)
   * and the house pays the seller the price less its fee (the fee leg to `fees`); unsold, the
   * leader's hold is released. Returns the settlement row to store.
   */
  async settle(tx: Tx, a: Auction): Promise<Settlement> {
    if (a.outcome !== 'sold') {
      if (a.leaderBidId) {
        await this.release(tx, a.leaderBidId);
      }

      return { auctionId: a.id, outcome: 'unsold' };
    }
    const price = a.highest!;
    const fee = (price * BigInt(this.config.auctions.feeBps) + 9_999n) / 10_000n;
    await this.transfers.postPending(a.leaderBidId!, { amount: price }, tx);
    const house = await this.systemAccount('house', a.currency, tx);
    const legs: TransferInput[] = [];
    const leg = (credit: string, amount: bigint, code: string): TransferInput => ({
      id: newId(),
      debitAccountId: house,
      creditAccountId: credit,
      amount,
      asset: a.currency,
      code,
      metadata: { auctionId: a.id },
    });
    if (a.sellerId && price > fee) {
      const seller = await this.accounts.ensureWallet(a.sellerId, a.currency, tx);
      legs.push(leg(seller.id, price - fee, 'auctions.proceeds'));
    }
    if (fee > 0n) {
      legs.push(leg(await this.systemAccount('fees', a.currency, tx), fee, 'auctions.fee'));
    }
    if (legs.length) {
      await this.transfers.transferLinked(legs, tx);
    }

    return {
      auctionId: a.id,
      outcome: 'sold',
      winnerId: a.leaderId,
      price,
      fee,
      holdId: a.leaderBidId,
    };
  }

  /**
   * Looks the house's accounts of `currency` up outside any transaction, before one that needs
   * them: inside it, under the lot's row lock, a lookup on a second connection could wait on a
   * pool that the bids queued behind that lock have exhausted.
   */
  async prepare(currency: string): Promise<void> {
    await this.systemAccount('house', currency);
    await this.systemAccount('fees', currency);
  }

  /** Cached once prepared; otherwise looked up in `tx` (and not cached, as it may roll back). */
  private systemAccount(kind: 'house' | 'fees', asset: string, tx?: Tx): Promise<string> {
    const key = `${kind}:${asset}`;
    let found = this.houseAccounts.get(key);
    if (!found && tx) {
      return this.accounts.ensureSystemAccount(kind, asset, tx).then((account) => account.id);
    }
    if (!found) {
      found = this.accounts.ensureSystemAccount(kind, asset).then((account) => account.id);
      this.houseAccounts.set(key, found);
      // A failed lookup is not kept, so the next call tries again.
      found.catch(() => this.houseAccounts.delete(key));
    }

    return found;
  }
}
