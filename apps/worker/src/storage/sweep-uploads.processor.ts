import {
  STORAGE_QUEUE,
  StorageJob,
  UploadsService,
  type StorageAppConfig,
  type SweepPendingJob,
} from '@bourse/storage';
import { APP_CONFIG, TracedJob } from '@bourse/platform';
import { Process, Processor } from '@nestjs/bull';
import { Inject } from '@nestjs/common';
import type { Job } from 'bull';

/** Uploads expired per transaction (each one's object deleted while its row is locked). */
export const SWEEP_BATCH = 100;
// A job sweeps at most this many rounds; a larger backlog is the next bucket's.
const MAX_ROUNDS = 50;

@Processor(STORAGE_QUEUE)
export class SweepUploadsProcessor {
  constructor(
    @Inject(APP_CONFIG) private readonly config: StorageAppConfig,
    private readonly uploads: UploadsService,
  ) {}

  @Process(StorageJob.SweepPending)
  @TracedJob()
  async handle({ data }: Job<SweepPendingJob>): Promise<number> {
    // The cutoff comes from the job's bucket, not the clock, so a late or repeated job expires
    // no upload younger than its bucket allowed.
    const before = new Date(
      Date.parse(data.bucket) - this.config.storage.pendingTtlHours * 3_600_000,
    );
    let expired = 0;
    for (let round = 0; round < MAX_ROUNDS; round += 1) {
      const count = await this.uploads.sweepPending(before, SWEEP_BATCH);
      expired += count;
      if (count < SWEEP_BATCH) {
        break;
      }
    }

    return expired;
  }
}
