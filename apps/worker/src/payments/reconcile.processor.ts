import {
  PAYMENT_PROVIDERS,
  PAYMENTS_QUEUE,
  PaymentsJob,
  ReconciliationService,
  type ReconcileJob,
} from '@bourse/payments';
import { TracedJob } from '@bourse/platform';
import { Process, Processor } from '@nestjs/bull';
import { Logger } from '@nestjs/common';
import type { Job } from 'bull';

@Processor(PAYMENTS_QUEUE)
export class ReconcileProcessor {
  private readonly logger = new Logger('PaymentsReconciliation');

  constructor(private readonly reconciliation: ReconciliationService) {}

  /**
   * One run per provider over the window ending at the bucket's start. A provider that cannot
   * be read is logged and left to the next bucket, so one outage does not hold the other's run.
   * Delivered at least once: a repeated job stores another run (results only, nothing corrects).
   */
  @Process(PaymentsJob.Reconcile)
  @TracedJob()
  async handle(job: Job<ReconcileJob>): Promise<Record<string, number | string>> {
    const outcome: Record<string, number | string> = {};
    for (const provider of PAYMENT_PROVIDERS) {
      try {
        const run = await this.reconciliation.run(provider, { to: new Date(job.data.bucket) });
        outcome[provider] = run.exceptions;
      } catch (error) {
        this.logger.error({ msg: 'payments reconciliation failed', provider, err: error });
        outcome[provider] = 'failed';
      }
    }

    return outcome;
  }
}
