import { NotificationsService } from '@bourse/notifications';
import {
  APP_CONFIG,
  Database,
  newId,
  SocketEmitter,
  uniqueViolationOf,
  type Principal,
  type Tx,
} from '@bourse/platform';
import { Inject, Injectable } from '@nestjs/common';
import type { AuctionsAppConfig } from './auctions.config';
import { AuctionFunds } from './auction-funds';
import { bidAnswerOf, biddingStateOf } from './auction-views';
import { AuctionRepository } from './auction.repository';
import {
  AuctionClosedError,
  AuctionNotFoundError,
  AuctionNotOpenError,
  BidRaceLostError,
  BidTooLowError,
  InvalidAuctionError,
  NotABidderError,
} from './auctions.errors';
import {
  AUCTIONS_NAMESPACE,
  AuctionsEvent,
  auctionRoom,
  type BidAnswer,
  type BidEvent,
  type ExtendedEvent,
} from './auctions.events';
import type { AcceptedBid, BidRequest } from './auctions.types';
import type { PlaceBidDto } from './dto/auction.dto';

/** The user a bid or a watch is for: users only, not API keys. */
export function bidderOf(principal: Principal | undefined): string {
  if (principal?.kind !== 'user') {
    throw new NotABidderError();
  }

  return principal.userId;
}

/**
 * Bids, the one path of `POST /v1/auctions/{id}/bids` and the socket's `bid`: the conditional
 * write decides at the database's clock, the bid's hold (and the release of the one it beat)
 * commit with it, then every node's watchers hear the new state.
 */
@Injectable()
export class BidsService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AuctionsAppConfig,
    private readonly db: Database,
    private readonly repo: AuctionRepository,
    private readonly funds: AuctionFunds,
    private readonly notifications: NotificationsService,
    private readonly sockets: SocketEmitter,
  ) {}

  async place(
    principal: Principal | undefined,
    auctionId: string,
    body: PlaceBidDto,
  ): Promise<BidAnswer> {
    const bidderId = bidderOf(principal);
    const amount = BigInt(body.amount);
    const maxAmount = body.maxAmount === undefined ? amount : BigInt(body.maxAmount);
    if (maxAmount < amount) {
      throw new InvalidAuctionError('maxAmount must be at least amount', 'maxAmount');
    }
    const request: BidRequest = {
      auctionId,
      bidderId,
      clientBidId: body.clientBidId,
      amount,
      maxAmount,
      seenHighest: body.seenHighest === null ? undefined : BigInt(body.seenHighest),
    };
    const retried = await this.repo.findBid(this.db.manager, auctionId, bidderId, body.clientBidId);
    if (retried) {
      return bidAnswerOf(retried);
    }
    await this.funds.prepare(this.config.auctions.currency);
    let accepted: AcceptedBid | undefined;
    try {
      accepted = await this.db.transaction(undefined, async (tx) => {
        const done = await this.repo.placeBid(tx, newId(), request);
        if (done) {
          await this.moveHolds(tx, done);
        }

        return done;
      });
    } catch (error) {
      // The same client bid id, accepted by a concurrent retry: its answer is this one's.
      if (uniqueViolationOf(error) !== undefined) {
        return this.answerRetry(request);
      }
      throw error;
    }
    if (!accepted) {
      return this.refuse(request);
    }
    this.broadcast(accepted);

    return bidAnswerOf(accepted.bid);
  }

  /**
   * The new leader's hold covers their maximum and replaces the one it beat (which the beaten
   * leader is told about); a bid outbid at once by a proxy maximum is held and released in the
   * same transaction, so only a payable bid is ever accepted.
   */
  private async moveHolds(tx: Tx, done: AcceptedBid): Promise<void> {
    const { bid } = done;
    if (!bid.leading) {
      await this.funds.hold(tx, bid, done.currency, bid.maxAmount);
      await this.funds.release(tx, bid.id);

      return;
    }
    await this.funds.hold(tx, bid, done.currency, done.leaderMaxAfter);
    if (done.previousLeaderBidId) {
      await this.funds.release(tx, done.previousLeaderBidId);
    }
    if (done.previousLeaderId && done.previousLeaderId !== bid.bidderId) {
      await this.notifications.notify(tx, {
        userId: done.previousLeaderId,
        type: 'auctions.outbid',
        title: 'You were outbid',
        body: `Someone bid ${bid.priceAfter} on a lot you led. Bid again before it closes.`,
        data: { auctionId: bid.auctionId, highest: bid.priceAfter.toString() },
      });
    }
  }

  private async answerRetry(request: BidRequest): Promise<BidAnswer> {
    const stored = await this.repo.findBid(
      this.db.manager,
      request.auctionId,
      request.bidderId,
      request.clientBidId,
    );

    return stored ? bidAnswerOf(stored) : this.refuse(request);
  }

  /**
   * Why the write refused, from the lot as it is now, with the state to bid again on; unless a
   * concurrent retry of this very bid was accepted, whose answer it is.
   */
  private async refuse(request: BidRequest): Promise<BidAnswer> {
    const retried = await this.repo.findBid(
      this.db.manager,
      request.auctionId,
      request.bidderId,
      request.clientBidId,
    );
    if (retried) {
      return bidAnswerOf(retried);
    }
    const found = await this.repo.find(this.db.manager, request.auctionId);
    if (!found) {
      throw new AuctionNotFoundError(request.auctionId);
    }
    const { auction: a, serverNow } = found;
    const state = biddingStateOf(a, serverNow);
    if (a.state === 'closed' || a.state === 'cancelled' || serverNow >= a.endsAt) {
      throw new AuctionClosedError(state);
    }
    if (serverNow < a.startsAt) {
      throw new AuctionNotOpenError(state);
    }
    if (a.highest !== request.seenHighest) {
      throw new BidRaceLostError(state);
    }
    if (request.amount < AuctionRepository.minimumBid(a)) {
      throw new BidTooLowError(state);
    }
    // Accepted for someone else between the write and this read: the seen highest is stale.
    throw new BidRaceLostError(state);
  }

  private broadcast({ bid, bidCount, minimumAfter, previousEndsAt, serverNow }: AcceptedBid): void {
    const room = this.sockets.namespace(AUCTIONS_NAMESPACE);
    const event: BidEvent = {
      auctionId: bid.auctionId,
      highest: bid.priceAfter.toString(),
      leaderId: bid.leaderAfter,
      minimumBid: minimumAfter.toString(),
      endsAt: bid.endsAtAfter.toISOString(),
      version: bid.versionAfter,
      bidCount,
      acceptedAt: bid.createdAt.toISOString(),
      serverNow: serverNow.toISOString(),
    };
    room.toRoom(auctionRoom(bid.auctionId), AuctionsEvent.Bid, event);
    if (bid.endsAtAfter > previousEndsAt) {
      const extended: ExtendedEvent = {
        auctionId: bid.auctionId,
        endsAt: event.endsAt,
        version: event.version,
        serverNow: event.serverNow,
      };
      room.toRoom(auctionRoom(bid.auctionId), AuctionsEvent.Extended, extended);
    }
  }
}
