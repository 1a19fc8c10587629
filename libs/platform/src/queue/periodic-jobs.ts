import { Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Database } from '../database/database';
import type { OutboxService } from './outbox.service';

// setTimeout's ceiling; a longer bucket just wakes early and finds its job already written.
const MAX_TIMER_MS = 2 ** 31 - 1;

/** A housekeeping job written once per time bucket; its payload is the bucket's start. */
export interface PeriodicJob {
  /** For logs: "sweep of expired holds". */
  what: string;
  intervalSeconds: number;
  queue: string;
  name: string;
  /** The job id is `${jobIdPrefix}:${bucket start ISO}`. */
  jobIdPrefix: string;
}

/** The payload of every periodic job. */
export interface PeriodicJobPayload {
  bucket: string;
}

/** Start of the `intervalSeconds` bucket holding `at`; buckets are aligned to the epoch. */
export function bucketStart(at: Date, intervalSeconds: number): Date {
  const size = intervalSeconds * 1000;

  return new Date(Math.floor(at.getTime() / size) * size);
}

/**
 * Writes each job through the outbox at boot and at every start of its bucket. Every replica
 * writes the same job id for a bucket, so the job runs once per bucket without a leader lock.
 * Subclass it with the jobs of a lib (see LedgerScheduler).
 */
export abstract class PeriodicJobScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(this.constructor.name);
  private readonly timers = new Map<PeriodicJob, NodeJS.Timeout>();
  private readonly running = new Set<Promise<void>>();
  private stopped = false;

  protected constructor(
    private readonly db: Database,
    private readonly outbox: OutboxService,
    private readonly jobs: PeriodicJob[],
  ) {}

  onApplicationBootstrap(): void {
    this.jobs.forEach((job) => this.tick(job));
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    this.timers.forEach((timer) => clearTimeout(timer));
    await Promise.all(this.running);
  }

  /** Enqueues `job` for the bucket holding `at`; false when that bucket already has it. */
  schedule(job: PeriodicJob, at = new Date()): Promise<boolean> {
    const bucket = bucketStart(at, job.intervalSeconds).toISOString();

    return this.db.transaction(undefined, (tx) =>
      this.outbox.enqueue<PeriodicJobPayload>(tx, {
        queue: job.queue,
        name: job.name,
        jobId: `${job.jobIdPrefix}:${bucket}`,
        payload: { bucket },
      }),
    );
  }

  private tick(job: PeriodicJob): void {
    const run: Promise<void> = this.schedule(job)
      .then(() => undefined)
      .catch((error: unknown) =>
        this.logger.error({ msg: `${job.what} not scheduled`, err: error }),
      )
      .finally(() => {
        this.running.delete(run);
        if (this.stopped) {
          return;
        }
        const size = job.intervalSeconds * 1000;
        const now = new Date();
        const untilNext = bucketStart(now, job.intervalSeconds).getTime() + size - now.getTime();
        this.timers.set(
          job,
          setTimeout(() => this.tick(job), Math.min(untilNext, MAX_TIMER_MS)),
        );
      });
    this.running.add(run);
  }
}
