import { PAYMENTS_QUEUE, PaymentsJob, PayoutsService, type SendPayoutJob } from '@bourse/payments';
import { TracedJob } from '@bourse/platform';
import { Process, Processor } from '@nestjs/bull';
import type { Job } from 'bull';

@Processor(PAYMENTS_QUEUE)
export class SendPayoutProcessor {
  constructor(private readonly payouts: PayoutsService) {}

  /** At least once: a payout no longer pending is left alone, and PayPal dedupes by our id. */
  @Process(PaymentsJob.SendPayout)
  @TracedJob()
  async handle(job: Job<SendPayoutJob>): Promise<string | undefined> {
    return (await this.payouts.send(job.data.payoutId))?.state;
  }
}
