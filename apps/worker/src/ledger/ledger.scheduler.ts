import {
  LEDGER_QUEUE,
  LedgerJob,
  type VerifyInvariantsJob,
  type VoidExpiredHoldsJob,
} from '@bourse/ledger';
import { APP_CONFIG, Database, OutboxService, type AppConfig } from '@bourse/platform';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { bucketStart } from '../schedulers/purge-idempotency-keys.scheduler';

// setTimeout's ceiling; a longer bucket just wakes early and finds its job already written.
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Calls `schedule` at start and at each bucket start of `intervalSeconds`, until stopped. */
class BucketLoop {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly what: string,
    private readonly intervalSeconds: number,
    private readonly schedule: () => Promise<boolean>,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.running = this.schedule()
      .then(() => undefined)
      .catch((error: unknown) =>
        this.logger.error({ msg: `${this.what} not scheduled`, err: error }),
      )
      .finally(() => {
        this.running = undefined;
        if (this.stopped) {
          return;
        }
        const size = this.intervalSeconds * 1000;
        const now = new Date();
        const untilNext = bucketStart(now, this.intervalSeconds).getTime() + size - now.getTime();
        this.timer = setTimeout(() => this.start(), Math.min(untilNext, MAX_TIMER_MS));
      });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }
}

/**
 * Writes one hold sweep per `ledger.pendingSweepIntervalSeconds` bucket and one invariant check
 * per `ledger.verifyIntervalSeconds` bucket, through the outbox. Every replica writes the same
 * job id for a bucket, so each runs once without a leader lock.
 */
@Injectable()
export class LedgerScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('LedgerScheduler');
  private readonly loops: BucketLoop[];

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly db: Database,
    private readonly outbox: OutboxService,
  ) {
    this.loops = [
      new BucketLoop(
        'sweep of expired holds',
        config.ledger.pendingSweepIntervalSeconds,
        () => this.scheduleSweep(),
        this.logger,
      ),
      new BucketLoop(
        'ledger invariant check',
        config.ledger.verifyIntervalSeconds,
        () => this.scheduleVerify(),
        this.logger,
      ),
    ];
  }

  onApplicationBootstrap(): void {
    this.loops.forEach((loop) => loop.start());
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all(this.loops.map((loop) => loop.stop()));
  }

  /** Enqueues the sweep of the bucket holding `at`; false when that bucket already has it. */
  scheduleSweep(at = new Date()): Promise<boolean> {
    const bucket = bucketStart(at, this.config.ledger.pendingSweepIntervalSeconds).toISOString();

    return this.db.transaction(undefined, (tx) =>
      this.outbox.enqueue<VoidExpiredHoldsJob>(tx, {
        queue: LEDGER_QUEUE,
        name: LedgerJob.VoidExpiredHolds,
        jobId: `void-expired-holds:${bucket}`,
        payload: { bucket },
      }),
    );
  }

  /** Enqueues the invariant check of the bucket holding `at`; false when already there. */
  scheduleVerify(at = new Date()): Promise<boolean> {
    const bucket = bucketStart(at, this.config.ledger.verifyIntervalSeconds).toISOString();

    return this.db.transaction(undefined, (tx) =>
      this.outbox.enqueue<VerifyInvariantsJob>(tx, {
        queue: LEDGER_QUEUE,
        name: LedgerJob.VerifyInvariants,
        jobId: `verify-invariants:${bucket}`,
        payload: { bucket },
      }),
    );
  }
}
