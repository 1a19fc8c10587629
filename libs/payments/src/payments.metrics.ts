import { Database, MetricsService } from '@bourse/platform';
import { Injectable } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { PaymentsRepository } from './payments.repository';
import { ReconRepository } from './recon.repository';

/**
 * Payments by provider and state, and the exceptions of the latest reconciliations, read from
 * Postgres at scrape time (the worker's /metrics), so
 * the figure is exact across replicas and restarts. Webhook signature failures and inbox lag are
 * the platform's `inbox_signature_failures_total{provider}` and `inbox_oldest_unprocessed_seconds`.
 */
@Injectable()
export class PaymentsMetrics {
  constructor(
    metrics: MetricsService,
    db: Database,
    repository: PaymentsRepository,
    recon: ReconRepository,
  ) {
    new Gauge({
      name: 'bourse_payments_recon_exceptions',
      help: "Exceptions (missing_in_ledger, missing_in_provider, amount_mismatch) of each provider's latest reconciliation.",
      labelNames: ['provider'],
      registers: [metrics.registry],
      async collect() {
        this.reset();
        for (const row of await recon.latestExceptions(db.manager)) {
          this.set({ provider: row.provider }, row.exceptions);
        }
      },
    });
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
