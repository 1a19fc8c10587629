import { AuctionRepository } from './auction.repository';
import type { BiddingState } from './auctions.errors';
import type { AuctionSnapshot, BidAnswer } from './auctions.events';
import type { Auction, Bid } from './auctions.types';

/** The lot's live state as the socket's `join` and the REST read show it. */
export function snapshotOf(a: Auction, serverNow: Date): AuctionSnapshot {
  return {
    auctionId: a.id,
    state: a.state,
    outcome: a.outcome ?? null,
    highest: a.highest?.toString() ?? null,
    leaderId: a.leaderId ?? null,
    minimumBid: AuctionRepository.minimumBid(a).toString(),
    startsAt: a.startsAt.toISOString(),
    endsAt: a.endsAt.toISOString(),
    version: a.version,
    bidCount: a.bidCount,
    serverNow: serverNow.toISOString(),
  };
}

/** What a refused bidder is told, to bid again. */
export function biddingStateOf(a: Auction, serverNow: Date): BiddingState {
  return {
    auctionId: a.id,
    state: a.state,
    highest: a.highest?.toString() ?? null,
    leaderId: a.leaderId ?? null,
    minimumBid: AuctionRepository.minimumBid(a).toString(),
    endsAt: a.endsAt.toISOString(),
    version: a.version,
    serverNow: serverNow.toISOString(),
  };
}

export function bidAnswerOf(b: Bid): BidAnswer {
  return {
    bidId: b.id,
    clientBidId: b.clientBidId,
    auctionId: b.auctionId,
    amount: b.amount.toString(),
    maxAmount: b.maxAmount.toString(),
    leading: b.leading,
    highest: b.priceAfter.toString(),
    leaderId: b.leaderAfter,
    endsAt: b.endsAtAfter.toISOString(),
    version: b.versionAfter,
    acceptedAt: b.createdAt.toISOString(),
  };
}
