import {
  IdempotencyService,
  PLATFORM_QUEUE,
  PlatformJob,
  TracedJob,
  type PurgeIdempotencyKeysJob,
} from '@bourse/platform';
import { Process, Processor } from '@nestjs/bull';
import type { Job } from 'bull';

@Processor(PLATFORM_QUEUE)
export class PurgeIdempotencyKeysProcessor {
  constructor(private readonly idempotency: IdempotencyService) {}

  @Process(PlatformJob.PurgeIdempotencyKeys)
  @TracedJob()
  handle(_job: Job<PurgeIdempotencyKeysJob>): Promise<number> {
    // Delivered at least once: a repeated purge finds nothing left to delete.
    return this.idempotency.purgeExpired();
  }
}
