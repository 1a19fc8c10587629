import { Database, MetricsService } from '@bourse/platform';
import { Injectable } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { CustodyRepository } from './custody.repository';

/**
 * The latest reconciliation's difference per metal, read from Postgres at scrape time (the
 * worker's /metrics): alert on anything but 0.
 */
@Injectable()
export class CustodyMetrics {
  constructor(metrics: MetricsService, db: Database, repository: CustodyRepository) {
    new Gauge({
      name: 'bourse_trading_custody_difference',
      help: 'Custodian statement minus the users’ ledger balances at the latest reconciliation, metal minor units (milligrams).',
      labelNames: ['metal'],
      registers: [metrics.registry],
      async collect() {
        this.reset();
        for (const row of await repository.latest(db.manager)) {
          this.set({ metal: row.metal }, Number(row.difference));
        }
      },
    });
  }
}
