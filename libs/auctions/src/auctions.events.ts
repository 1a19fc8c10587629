// The platform's ack types, by their own module: it has no imports, so apps/web can check them.
import type { SocketAck, SocketError } from '@bourse/platform/sockets/socket-ack';

/**
 * The wire contract of the `/auctions` namespace: a room per lot, joined with `join` (whose ack
 * is the lot's snapshot at the server's clock), bids with `bid` (the same path as
 * `POST /v1/auctions/{id}/bids`), and the `bid`, `extended` and `closed` events every node's
 * watchers hear. Plain types only, so a browser bundle can use it.
 */
export const AUCTIONS_NAMESPACE = '/auctions';

export const AuctionsEvent = {
  Join: 'join',
  Leave: 'leave',
  /** Client -> server: a `BidPayload` (ack `BidAck`); server -> client: a `BidEvent`. */
  Bid: 'bid',
  /** Server -> client: an `ExtendedEvent`. */
  Extended: 'extended',
  /** Server -> client: a `ClosedEvent`. */
  Closed: 'closed',
} as const;

/** The room of one lot on every api node. */
export const auctionRoom = (auctionId: string): string => `auction:${auctionId}`;

/**
 * A lot's live state. `serverNow` is the server's clock when it was read: a client renders the
 * countdown as `endsAt - serverNow` from the moment it received this, never from its own clock.
 */
export interface AuctionSnapshot {
  auctionId: string;
  state: 'scheduled' | 'open' | 'closed' | 'cancelled';
  outcome: 'sold' | 'unsold' | null;
  /** Visible price in minor units; null before the first bid. */
  highest: string | null;
  leaderId: string | null;
  /** The least amount the next bid may be. */
  minimumBid: string;
  startsAt: string;
  endsAt: string;
  version: number;
  bidCount: number;
  serverNow: string;
}

export interface JoinPayload {
  auctionId: string;
}

export interface BidPayload {
  auctionId: string;
  /** Minor units, decimal string. */
  amount: string;
  /** A secret proxy maximum (≥ amount), decimal string; omitted: the amount. */
  maxAmount?: string;
  /** The highest the bidder saw (null: none yet). */
  seenHighest: string | null;
  /** The client's id for this bid: a retry with it answers the same bid. */
  clientBidId: string;
}

/** An accepted bid's answer (also the body of `POST /v1/auctions/{id}/bids`). */
export interface BidAnswer {
  bidId: string;
  clientBidId: string;
  auctionId: string;
  amount: string;
  maxAmount: string;
  /** False when the leader's proxy maximum outbid it at once. */
  leading: boolean;
  highest: string;
  leaderId: string;
  endsAt: string;
  version: number;
  acceptedAt: string;
}

/** A refused bid's ack: the error and, for 409/422/410, the state to bid again on. */
export interface BidRefusal {
  ok: false;
  error: SocketError;
  state?: Omit<AuctionSnapshot, 'outcome' | 'startsAt' | 'bidCount'>;
}

export type JoinAck = SocketAck<{ snapshot: AuctionSnapshot }>;
export type LeaveAck = SocketAck;
export type BidAck = ({ ok: true } & { bid: BidAnswer }) | BidRefusal;

/** Every watcher of the lot, on every node, after each accepted bid. */
export interface BidEvent {
  auctionId: string;
  highest: string;
  leaderId: string;
  minimumBid: string;
  endsAt: string;
  version: number;
  bidCount: number;
  acceptedAt: string;
  serverNow: string;
}

/** The lot's end moved later (an accepted bid within the timer). */
export interface ExtendedEvent {
  auctionId: string;
  endsAt: string;
  version: number;
  serverNow: string;
}

export interface ClosedEvent {
  auctionId: string;
  state: 'closed' | 'cancelled';
  outcome: 'sold' | 'unsold' | null;
  /** The hammer price, when sold. */
  price: string | null;
  winnerId: string | null;
  serverNow: string;
}

export interface AuctionsClientEvents {
  [AuctionsEvent.Join]: (request: JoinPayload, ack: (reply: JoinAck) => void) => void;
  [AuctionsEvent.Leave]: (request: JoinPayload, ack: (reply: LeaveAck) => void) => void;
  [AuctionsEvent.Bid]: (request: BidPayload, ack: (reply: BidAck) => void) => void;
}

export interface AuctionsServerEvents {
  [AuctionsEvent.Bid]: (event: BidEvent) => void;
  [AuctionsEvent.Extended]: (event: ExtendedEvent) => void;
  [AuctionsEvent.Closed]: (event: ClosedEvent) => void;
}

/**
 * Milliseconds left on a lot by the server's clock: `endsAt − serverNow` of the last answer,
 * less the time elapsed on the client's clock since it arrived. The client's clock only measures
 * that elapsed time, so a skewed clock shows the right countdown.
 */
export function countdownMs(
  state: { endsAt: string; serverNow: string },
  receivedAtLocalMs: number,
  nowLocalMs: number,
): number {
  const left = Date.parse(state.endsAt) - Date.parse(state.serverNow);

  return Math.max(0, left - Math.max(0, nowLocalMs - receivedAtLocalMs));
}
