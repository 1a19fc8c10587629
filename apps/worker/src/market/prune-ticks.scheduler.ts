import { MARKET_QUEUE, MarketJob } from '@bourse/market-data';
import { Database, OutboxService, PeriodicJobScheduler } from '@bourse/platform';
import { Injectable } from '@nestjs/common';

/** One prune of raw ticks per UTC hour (the processor derives the cutoff from the hour). */
@Injectable()
export class PruneTicksScheduler extends PeriodicJobScheduler {
  constructor(db: Database, outbox: OutboxService) {
    super(db, outbox, [
      {
        what: 'prune of market ticks',
        intervalSeconds: 3600,
        queue: MARKET_QUEUE,
        name: MarketJob.PruneTicks,
        jobIdPrefix: 'market-prune-ticks',
      },
    ]);
  }
}
