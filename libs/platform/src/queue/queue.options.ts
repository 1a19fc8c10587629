import type { BullRootModuleOptions } from '@nestjs/bull';
import type { AppConfig } from '../config/config';

/**
 * Shared by every Bull queue of the process. Finished jobs are kept a day (bounded by count too)
 * so the outbox reconcile pass can still see that a job completed when its completion event was
 * lost; a job evicted before that would run again, which idempotent handlers tolerate.
 */
export function bullRootOptions(config: AppConfig): BullRootModuleOptions {
  return {
    url: config.redis.url,
    // Bull prefixes keys itself; an ioredis keyPrefix would break its Lua scripts.
    prefix: `${config.redis.keyPrefix}:bull`,
    defaultJobOptions: {
      attempts: 5,
      backoff: { type: 'exponential', delay: 1000 },
      removeOnComplete: { age: 24 * 3600, count: 10_000 },
      removeOnFail: { age: 7 * 24 * 3600, count: 10_000 },
    },
  };
}
