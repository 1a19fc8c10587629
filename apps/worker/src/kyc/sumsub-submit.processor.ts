import { KYC_QUEUE, KycJob, SumsubSubmissionService, type SumsubSubmitJob } from '@bourse/kyc';
import { TracedJob } from '@bourse/platform';
import { Process, Processor } from '@nestjs/bull';
import type { Job } from 'bull';

/** Sends a submitted case to Sumsub; a failed call throws and the queue retries the job. */
@Processor(KYC_QUEUE)
export class SumsubSubmitProcessor {
  constructor(private readonly submissions: SumsubSubmissionService) {}

  @Process(KycJob.SumsubSubmit)
  @TracedJob()
  handle(job: Job<SumsubSubmitJob>): Promise<'sent' | 'skipped'> {
    return this.submissions.submit(job.data.caseId);
  }
}
