import { CustodyService, TRADING_QUEUE, TradingJob, type ReconcileJob } from '@bourse/trading';
import { TracedJob } from '@bourse/platform';
import { Process, Processor } from '@nestjs/bull';
import type { Job } from 'bull';

/** Reconciles the users' metal with the custodian's statement, once per bucket. */
@Processor(TRADING_QUEUE)
export class ReconcileCustodyProcessor {
  constructor(private readonly custody: CustodyService) {}

  @Process(TradingJob.Reconcile)
  @TracedJob()
  async handle(job: Job<ReconcileJob>): Promise<number> {
    const results = await this.custody.reconcile(new Date(job.data.bucket));

    return results.filter((r) => r.difference !== 0n).length;
  }
}
