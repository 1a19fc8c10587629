import {
  CandleService,
  MARKET_QUEUE,
  MarketJob,
  type MarketAppConfig,
  type PruneTicksJob,
} from '@bourse/market-data';
import { APP_CONFIG, TracedJob } from '@bourse/platform';
import { Process, Processor } from '@nestjs/bull';
import { Inject } from '@nestjs/common';
import type { Job } from 'bull';

@Processor(MARKET_QUEUE)
export class PruneTicksProcessor {
  constructor(
    @Inject(APP_CONFIG) private readonly config: MarketAppConfig,
    private readonly candles: CandleService,
  ) {}

  @Process(MarketJob.PruneTicks)
  @TracedJob()
  handle({ data }: Job<PruneTicksJob>): Promise<number> {
    // The cutoff comes from the job's hour, not the clock: a redelivered job deletes the same
    // range (nothing left), and a late one does not delete more than its hour allowed.
    const hours = this.config.market.tickRetentionHours;

    return this.candles.pruneTicks(new Date(Date.parse(data.bucket) - hours * 3_600_000));
  }
}
