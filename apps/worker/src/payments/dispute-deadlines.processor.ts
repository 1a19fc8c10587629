import {
  DisputeAlerts,
  PAYMENTS_QUEUE,
  PaymentsJob,
  type DisputeDeadlinesJob,
} from '@bourse/payments';
import { TracedJob } from '@bourse/platform';
import { Process, Processor } from '@nestjs/bull';
import type { Job } from 'bull';

@Processor(PAYMENTS_QUEUE)
export class DisputeDeadlinesProcessor {
  constructor(private readonly alerts: DisputeAlerts) {}

  /** Delivered at least once: a dispute already alerted on is not claimed again. */
  @Process(PaymentsJob.DisputeDeadlines)
  @TracedJob()
  handle(_job: Job<DisputeDeadlinesJob>): Promise<number> {
    return this.alerts.check();
  }
}
