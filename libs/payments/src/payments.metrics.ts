import { Database, MetricsService } from '@bourse/platform';
import { Injectable } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { PaymentsRepository } from './payments.repository';

/**
 * Payments by provider and state, counted in Postgres at scrape time (the worker's /metrics), so
 * the figure is exact across replicas and restarts. Webhook signature failures and inbox lag are
 * the platform's `inbox_signature_failures_total{provider}` and `inbox_oldest_unprocessed_seconds`.
 */
@Injectable()
export class PaymentsMetrics {
  constructor(metrics: MetricsService, db: Database, repository: PaymentsRepository) {
    new Gauge({
      name: 'bourse_payments',
      help: 'Payments by provider and state.',
      labelNames: ['provider', 'state'],
      registers: [metrics.registry],
      async collect() {
        this.reset();
        for (const row of await repository.countByState(db.manager)) {
          this.set({ provider: row.provider, state: row.state }, row.count);
        }
      },
    });
  }
}
