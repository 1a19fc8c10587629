import { OutboxService, type Tx } from '@bourse/platform';
import { Injectable } from '@nestjs/common';
import {
  AUCTIONS_QUEUE,
  AuctionsJob,
  closeJobId,
  openJobId,
  type AuctionJob,
} from './auctions.jobs';
import type { Auction } from './auctions.types';

/**
 * A lot's delayed jobs, through the outbox in the caller's transaction: its open at `starts_at`
 * and a close at each `ends_at` it reaches (the sweeper catches any the queue loses).
 */
@Injectable()
export class AuctionSchedule {
  constructor(private readonly outbox: OutboxService) {}

  async open(tx: Tx, a: Pick<Auction, 'id' | 'startsAt'>): Promise<void> {
    await this.outbox.enqueue<AuctionJob>(tx, {
      queue: AUCTIONS_QUEUE,
      name: AuctionsJob.Open,
      jobId: openJobId(a.id),
      payload: { auctionId: a.id },
      delayMs: Math.max(0, a.startsAt.getTime() - Date.now()),
    });
  }

  async close(tx: Tx, auctionId: string, endsAt: Date): Promise<void> {
    await this.outbox.enqueue<AuctionJob>(tx, {
      queue: AUCTIONS_QUEUE,
      name: AuctionsJob.Close,
      jobId: closeJobId(auctionId, endsAt),
      payload: { auctionId },
      delayMs: Math.max(0, endsAt.getTime() - Date.now()),
    });
  }
}
