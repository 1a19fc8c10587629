import { KYC_QUEUE, KycJob, KycRetentionService, type EraseExpiredJob } from '@bourse/kyc';
import { TracedJob } from '@bourse/platform';
import { Process, Processor } from '@nestjs/bull';
import type { Job } from 'bull';

/** Erases the PII of cases past their retention date; a repeat finds them erased already. */
@Processor(KYC_QUEUE)
export class EraseExpiredProcessor {
  constructor(private readonly retention: KycRetentionService) {}

  @Process(KycJob.EraseExpired)
  @TracedJob()
  handle(_job: Job<EraseExpiredJob>): Promise<number> {
    return this.retention.eraseExpired();
  }
}
