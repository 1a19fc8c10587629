import { DomainError } from '@bourse/platform';
import type { AuctionState } from './auctions.types';

/** The live state a refused bidder needs to bid again (problem+json extensions, socket acks). */
export interface BiddingState {
  auctionId: string;
  state: AuctionState;
  /** The visible price (minor units), null before the first bid. */
  highest: string | null;
  leaderId: string | null;
  /** The least amount the next bid may be. */
  minimumBid: string;
  endsAt: string;
  version: number;
  serverNow: string;
}

export class AuctionNotFoundError extends DomainError {
  readonly code = 'auctions.not_found';
  readonly status = 404;
  constructor(auctionId: string) {
    super(`Auction ${auctionId} does not exist`);
    this.extensions.auctionId = auctionId;
  }
}

/** A refused bid, carrying the state to bid again on. */
abstract class BidRefusedError extends DomainError {
  constructor(
    message: string,
    readonly biddingState: BiddingState,
  ) {
    super(message);
    Object.assign(this.extensions, biddingState);
  }
}

/** Someone's bid was accepted first: the seen highest is no longer the highest. */
export class BidRaceLostError extends BidRefusedError {
  readonly code = 'auctions.outbid';
  readonly status = 409;
  constructor(state: BiddingState) {
    super(`Another bid was accepted first: the highest is now ${state.highest ?? 'none'}`, state);
  }
}

/** The lot has not opened yet. */
export class AuctionNotOpenError extends BidRefusedError {
  readonly code = 'auctions.not_open';
  readonly status = 409;
  constructor(state: BiddingState) {
    super('The auction has not opened yet', state);
  }
}

export class BidTooLowError extends BidRefusedError {
  readonly code = 'auctions.bid_too_low';
  readonly status = 422;
  constructor(state: BiddingState) {
    super(`The bid must be at least ${state.minimumBid}`, state);
    this.extensions.field = 'amount';
  }
}

/** Past `ends_at` at the database's clock, or closed/cancelled: whatever the client showed. */
export class AuctionClosedError extends BidRefusedError {
  readonly code = 'auctions.closed';
  readonly status = 410;
  constructor(state: BiddingState) {
    super('The auction is closed to bids', state);
  }
}

/** The bidder's wallet cannot hold the bid (its maximum): nothing was written. */
export class BidNotCoveredError extends DomainError {
  readonly code = 'auctions.insufficient_funds';
  readonly status = 422;
  constructor(required: bigint, currency: string) {
    super(`The wallet's available ${currency} does not cover ${required}`);
    this.extensions.field = 'maxAmount';
    this.extensions.required = required.toString();
    this.extensions.currency = currency;
  }
}

export class InvalidAuctionError extends DomainError {
  readonly code = 'auctions.invalid';
  readonly status = 422;
  constructor(message: string, field: string) {
    super(message);
    this.extensions.field = field;
  }
}

export class AuctionImageError extends DomainError {
  readonly code = 'auctions.invalid_image';
  readonly status = 422;
  constructor(message: string) {
    super(message);
    this.extensions.field = 'uploadId';
  }
}

/** Lots are bid on and watched by users, not API keys. */
export class NotABidderError extends DomainError {
  readonly code = 'auctions.users_only';
  readonly status = 403;
  constructor() {
    super('Only signed-in users bid on and watch lots');
  }
}

export const isBidRefusal = (error: unknown): error is BidRefusedError =>
  error instanceof BidRefusedError;
