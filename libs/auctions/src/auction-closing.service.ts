import { NotificationsService } from '@bourse/notifications';
import { APP_CONFIG, Database, SocketEmitter } from '@bourse/platform';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { AuctionsAppConfig } from './auctions.config';
import { AuctionFunds } from './auction-funds';
import { AuctionSchedule } from './auction-schedule';
import { AuctionRepository } from './auction.repository';
import { AuctionNotFoundError } from './auctions.errors';
import {
  AUCTIONS_NAMESPACE,
  AuctionsEvent,
  auctionRoom,
  type ClosedEvent,
} from './auctions.events';
import type { Auction } from './auctions.types';

/** Lots due at once per sweep round. */
const SWEEP_BATCH = 100;

export type CloseOutcome = 'closed' | 'rescheduled' | 'skipped';

/**
 * A lot's start (watchers told once) and its close: a conditional update any number of workers
 * or retries may run, so exactly one of them closes it, writes its one settlement and moves its
 * money, in one transaction; a bid racing it loses on the row lock and the state.
 */
@Injectable()
export class AuctionClosingService {
  private readonly logger = new Logger(AuctionClosingService.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AuctionsAppConfig,
    private readonly db: Database,
    private readonly repo: AuctionRepository,
    private readonly funds: AuctionFunds,
    private readonly schedule: AuctionSchedule,
    private readonly notifications: NotificationsService,
    private readonly sockets: SocketEmitter,
  ) {}

  /** Opens the lot and notifies each watcher (push and in-app), once: false if done already. */
  start(auctionId: string): Promise<boolean> {
    return this.db.transaction(undefined, async (tx) => {
      const auction = await this.repo.markStarted(tx, auctionId);
      if (!auction) {
        return false;
      }
      for (const userId of await this.repo.watchers(tx, auctionId)) {
        await this.notifications.notify(tx, {
          userId,
          type: 'auctions.started',
          title: `Bidding is open: ${auction.title}`,
          body: `The lot you watch is open from ${auction.startingPrice} ${auction.currency}.`,
          data: { auctionId },
        });
      }

      return true;
    });
  }

  /**
   * Closes the lot if its end passed at the database's clock. A lot a bid extended gets a close
   * job at its new end instead.
   */
  async close(auctionId: string): Promise<CloseOutcome> {
    await this.funds.prepare(this.config.auctions.currency);
    const outcome = await this.db.transaction(undefined, async (tx) => {
      const closed = await this.repo.close(tx, auctionId);
      if (closed) {
        await this.repo.insertSettlement(tx, await this.funds.settle(tx, closed));

        return closed;
      }
      const found = await this.repo.find(tx, auctionId);
      if (!found) {
        throw new AuctionNotFoundError(auctionId);
      }
      const { auction, serverNow } = found;
      if (
        (auction.state === 'open' || auction.state === 'scheduled') &&
        auction.endsAt > serverNow
      ) {
        await this.schedule.close(tx, auctionId, auction.endsAt);

        return 'rescheduled';
      }

      return 'skipped';
    });
    if (typeof outcome === 'string') {
      return outcome;
    }
    this.announce(outcome);

    return 'closed';
  }

  /** Cancels a lot still biddable: the leader's hold is released, nobody wins. */
  async cancel(auctionId: string): Promise<Auction> {
    const cancelled = await this.db.transaction(undefined, async (tx) => {
      const done = await this.repo.cancel(tx, auctionId);
      if (done?.leaderBidId) {
        await this.funds.release(tx, done.leaderBidId);
      }

      return done ?? (await this.repo.find(tx, auctionId))?.auction;
    });
    if (!cancelled) {
      throw new AuctionNotFoundError(auctionId);
    }
    if (cancelled.state === 'cancelled') {
      this.announce(cancelled);
    }

    return cancelled;
  }

  /** The backstop of the delayed jobs: starts and closes every lot whose time passed. */
  async sweep(): Promise<{ started: number; closed: number }> {
    let started = 0;
    let closed = 0;
    for (const id of await this.repo.dueToStart(this.db.manager, SWEEP_BATCH)) {
      started += (await this.start(id)) ? 1 : 0;
    }
    for (const id of await this.repo.dueToClose(this.db.manager, SWEEP_BATCH)) {
      closed += (await this.close(id)) === 'closed' ? 1 : 0;
    }
    if (started || closed) {
      this.logger.log({ msg: 'auctions swept', started, closed });
    }

    return { started, closed };
  }

  private announce(a: Auction): void {
    const event: ClosedEvent = {
      auctionId: a.id,
      state: a.state === 'cancelled' ? 'cancelled' : 'closed',
      outcome: a.outcome ?? null,
      price: a.outcome === 'sold' ? a.highest!.toString() : null,
      winnerId: a.outcome === 'sold' ? a.leaderId! : null,
      serverNow: (a.closedAt ?? new Date()).toISOString(),
    };
    this.sockets
      .namespace(AUCTIONS_NAMESPACE)
      .toRoom(auctionRoom(a.id), AuctionsEvent.Closed, event);
  }
}
