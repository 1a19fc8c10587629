import {
  AUCTIONS_QUEUE,
  AuctionClosingService,
  AuctionsJob,
  type AuctionJob,
  type CloseOutcome,
  type SweepAuctionsJob,
} from '@bourse/auctions';
import { TracedJob } from '@bourse/platform';
import { Process, Processor } from '@nestjs/bull';
import type { Job } from 'bull';

/**
 * A lot's open and close at their times, and the sweep behind them. Each is a conditional
 * update: run twice, by two workers or a retry, it does its work once.
 */
@Processor(AUCTIONS_QUEUE)
export class AuctionJobsProcessor {
  constructor(private readonly closing: AuctionClosingService) {}

  @Process(AuctionsJob.Open)
  @TracedJob()
  open({ data }: Job<AuctionJob>): Promise<boolean> {
    return this.closing.start(data.auctionId);
  }

  @Process(AuctionsJob.Close)
  @TracedJob()
  close({ data }: Job<AuctionJob>): Promise<CloseOutcome> {
    return this.closing.close(data.auctionId);
  }

  @Process(AuctionsJob.Sweep)
  @TracedJob()
  sweep(_job: Job<SweepAuctionsJob>): Promise<{ started: number; closed: number }> {
    return this.closing.sweep();
  }
}
