export const AUCTION_STATES = ['scheduled', 'open', 'closed', 'cancelled'] as const;
export type AuctionState = (typeof AUCTION_STATES)[number];

export const AUCTION_OUTCOMES = ['sold', 'unsold'] as const;
export type AuctionOutcome = (typeof AUCTION_OUTCOMES)[number];

/** From `from` (a price in minor units) upwards, a bid must beat the price by `step`. */
export interface IncrementBand {
  from: bigint;
  step: bigint;
}

/**
 * The default table, eBay-style bands in cents: under 100.00 a step of 1.00, then 5.00, 25.00
 * and 100.00 as the price grows.
 */
export const DEFAULT_INCREMENTS: readonly IncrementBand[] = [
  { from: 0n, step: 100n },
  { from: 10_000n, step: 500n },
  { from: 100_000n, step: 2_500n },
  { from: 500_000n, step: 10_000n },
];

export interface Auction {
  id: string;
  title: string;
  description: string;
  currency: string;
  sellerId?: string;
  startingPrice: bigint;
  reservePrice?: bigint;
  increments: IncrementBand[];
  extendSeconds: number;
  startsAt: Date;
  endsAt: Date;
  state: AuctionState;
  outcome?: AuctionOutcome;
  highest?: bigint;
  leaderId?: string;
  /** The leader's secret proxy maximum, held on their wallet by the hold `leaderBidId`. */
  leaderMax?: bigint;
  leaderBidId?: string;
  version: number;
  bidCount: number;
  images: string[];
  closedAt?: Date;
  createdAt: Date;
}

/** An auction as the database saw it at `serverNow` (its clock, not this process's). */
export interface AuctionAt {
  auction: Auction;
  serverNow: Date;
}

/** An accepted bid, as stored; a retry with its client bid id answers it again. */
export interface Bid {
  id: string;
  auctionId: string;
  bidderId: string;
  clientBidId: string;
  amount: bigint;
  maxAmount: bigint;
  /** Whether the bidder led after it (false: outbid at once by the leader's proxy maximum). */
  leading: boolean;
  priceAfter: bigint;
  leaderAfter: string;
  endsAtAfter: Date;
  versionAfter: number;
  createdAt: Date;
}

/** What the conditional bid write returns when it accepted the bid. */
export interface AcceptedBid {
  bid: Bid;
  /** The lot's end before the bid: the bid extended it when `bid.endsAtAfter` is later. */
  previousEndsAt: Date;
  previousLeaderId?: string;
  previousLeaderBidId?: string;
  bidCount: number;
  currency: string;
  /** The leader's maximum after the bid: what their hold must cover. */
  leaderMaxAfter: bigint;
  /** The least the next bid may be. */
  minimumAfter: bigint;
  serverNow: Date;
}

export interface BidRequest {
  auctionId: string;
  bidderId: string;
  clientBidId: string;
  amount: bigint;
  /** The proxy maximum (`amount` when the bidder left none). */
  maxAmount: bigint;
  /** The highest bid the bidder saw; undefined when they saw none. */
  seenHighest?: bigint;
}

/** The one settlement of a closed lot. */
export interface Settlement {
  auctionId: string;
  outcome: AuctionOutcome;
  winnerId?: string;
  price?: bigint;
  fee?: bigint;
  holdId?: string;
}
