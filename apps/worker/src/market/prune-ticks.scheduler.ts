import { bucketStart, MARKET_QUEUE, MarketJob, type PruneTicksJob } from '@bourse/market-data';
import { Database, OutboxService } from '@bourse/platform';
import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';

const HOUR_MS = 3_600_000;

/**
 * Writes one prune job per UTC hour, at boot and at each hour's start. Every replica writes the
 * same job id for an hour, so the prune runs once without a leader lock.
 */
@Injectable()
export class PruneTicksScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('PruneTicksScheduler');
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;

  constructor(
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

  /** Enqueues the prune of the hour holding `at`; false when that hour already has it. */
  schedule(at = Date.now()): Promise<boolean> {
    const bucket = new Date(bucketStart(at, '1h')).toISOString();

    return this.db.transaction(undefined, (tx) =>
      this.outbox.enqueue<PruneTicksJob>(tx, {
        queue: MARKET_QUEUE,
        name: MarketJob.PruneTicks,
        jobId: `market-prune-ticks:${bucket}`,
        payload: { bucket },
      }),
    );
  }

  private tick(): void {
    this.running = this.schedule()
      .then(() => undefined)
      .catch((error: unknown) =>
        this.logger.error({ msg: 'prune of market ticks not scheduled', err: error }),
      )
      .finally(() => {
        this.running = undefined;
        if (this.stopped) {
          return;
        }
        const now = Date.now();
        this.timer = setTimeout(() => this.tick(), bucketStart(now, '1h') + HOUR_MS - now);
      });
  }
}
