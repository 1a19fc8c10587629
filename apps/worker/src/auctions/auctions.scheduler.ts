import { AUCTIONS_QUEUE, AuctionsJob, type AuctionsAppConfig } from '@bourse/auctions';
import { APP_CONFIG, Database, OutboxService, PeriodicJobScheduler } from '@bourse/platform';
import { Inject, Injectable } from '@nestjs/common';

/** One sweep of lots due to open or close per `auctions.sweepIntervalSeconds` bucket. */
@Injectable()
export class AuctionsScheduler extends PeriodicJobScheduler {
  constructor(@Inject(APP_CONFIG) config: AuctionsAppConfig, db: Database, outbox: OutboxService) {
    super(db, outbox, [
      {
        what: 'sweep of due auctions',
        intervalSeconds: config.auctions.sweepIntervalSeconds,
        queue: AUCTIONS_QUEUE,
        name: AuctionsJob.Sweep,
        jobIdPrefix: 'auctions-sweep',
      },
    ]);
  }
}
