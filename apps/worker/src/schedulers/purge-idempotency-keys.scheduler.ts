import {
  APP_CONFIG,
  Database,
  OutboxService,
  PLATFORM_QUEUE,
  PlatformJob,
  type AppConfig,
  type PurgeIdempotencyKeysJob,
} from '@bourse/platform';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';

// setTimeout's ceiling; a longer bucket just wakes early and finds its job already written.
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Start of the `intervalSeconds` bucket holding `at`; buckets are aligned to the epoch. */
export function bucketStart(at: Date, intervalSeconds: number): Date {
  const size = intervalSeconds * 1000;

  return new Date(Math.floor(at.getTime() / size) * size);
}

/**
 * Writes one purge job per `idempotency.purgeIntervalSeconds` bucket, at boot and at each bucket
 * start. Every replica writes the same job id for a bucket, so the job runs once without a
 * leader lock.
 */
@Injectable()
export class PurgeIdempotencyKeysScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('PurgeIdempotencyKeysScheduler');
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly db: Database,
    private readonly outbox: OutboxService,
  ) {}

  onApplicationBootstrap(): void {
    this.tick();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** Enqueues the purge of the bucket holding `at`; false when that bucket already has it. */
  schedule(at = new Date()): Promise<boolean> {
    const bucket = bucketStart(at, this.config.idempotency.purgeIntervalSeconds).toISOString();

    return this.db.transaction(undefined, (tx) =>
      this.outbox.enqueue<PurgeIdempotencyKeysJob>(tx, {
        queue: PLATFORM_QUEUE,
        name: PlatformJob.PurgeIdempotencyKeys,
        jobId: `purge-idempotency-keys:${bucket}`,
        payload: { bucket },
      }),
    );
  }

  private tick(): void {
    this.running = this.schedule()
      .then(() => undefined)
      .catch((error: unknown) =>
        this.logger.error({ msg: 'purge of idempotency keys not scheduled', err: error }),
      )
      .finally(() => {
        this.running = undefined;
        if (this.stopped) {
          return;
        }
        const size = this.config.idempotency.purgeIntervalSeconds * 1000;
        const now = new Date();
        const untilNext = bucketStart(now, size / 1000).getTime() + size - now.getTime();
        this.timer = setTimeout(() => this.tick(), Math.min(untilNext, MAX_TIMER_MS));
      });
  }
}
