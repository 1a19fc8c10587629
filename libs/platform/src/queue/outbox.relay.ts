import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import type { Job, Queue } from 'bull';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { Database, type Tx } from '../database/database';
import { withTimeout } from '../observability/health.checks';
import { Client } from 'pg';
import { OUTBOX_CHANNEL, OutboxRepository, type OutboxRow } from './outbox.repository';
import { QueueMetrics } from './queue.metrics';
import { QueueRegistry } from './queue.registry';

const BATCH = 100;
// An add that hangs (Redis away) must not hold the claimed rows' locks for long; a late add is
// harmless, as the row stays unsent and the next add of the same job id collapses into it.
const ADD_TIMEOUT_MS = 5000;

type Verdict = 'lost' | 'alive' | 'completed' | { failed: string };

/**
 * Moves committed outbox rows into Bull (worker only) and keeps the two in step:
 * - relay: claims unsent rows with SKIP LOCKED (replicas never share a row), adds each with its
 *   row's job id (Bull ignores an add whose id exists) and marks them enqueued, every
 *   `outbox.relayIntervalMs`, and at once when an insert's commit notifies OUTBOX_CHANNEL (a
 *   connection of its own LISTENs), so the poll interval is not the latency floor;
 * - outcomes: jobs this process runs mark their row completed, or failed once out of attempts;
 * - reconcile: rows enqueued and unfinished for `outbox.reconcileAfterMs` are looked up in Bull:
 *   a job Redis lost is added again, a finished one whose event was lost is recorded.
 */
@Injectable()
export class OutboxRelay
  implements OnApplicationBootstrap, OnModuleDestroy, BeforeApplicationShutdown
{
  private readonly logger = new Logger('OutboxRelay');
  private readonly loops: Loop[] = [];
  private readonly marking = new Set<Promise<void>>();
  private listener?: Client;
  private stopping = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly db: Database,
    private readonly outbox: OutboxRepository,
    private readonly queues: QueueRegistry,
    private readonly metrics: QueueMetrics,
  ) {}

  onApplicationBootstrap(): void {
    this.queues.registered().forEach((queue) => this.recordOutcomes(queue));
    const { relayIntervalMs, reconcileAfterMs } = this.config.outbox;
    const reconcileEveryMs = Math.min(Math.max(reconcileAfterMs / 2, relayIntervalMs), 5000);
    const onError = (pass: string) => (error: unknown) =>
      this.logger.error({ msg: `outbox ${pass} pass failed`, err: error });
    const relayLoop = new Loop(relayIntervalMs, () => this.relay(), onError('relay'));
    this.loops.push(
      relayLoop,
      new Loop(reconcileEveryMs, () => this.reconcile(), onError('reconcile')),
    );
    void this.listen(() => relayLoop.kick());
  }

  /**
   * LISTENs on OUTBOX_CHANNEL with a connection outside the pool, calling `wake` on each
   * notification. Without it (a pooler that drops LISTEN, a lost connection) the poll still runs.
   */
  private async listen(wake: () => void): Promise<void> {
    const { url, connectTimeoutMs } = this.config.database;
    const client = new Client({
      connectionString: url,
      application_name: `bourse-${process.title}-outbox-listener`,
      connectionTimeoutMillis: connectTimeoutMs,
    });
    client.on('notification', wake);
    client.on('error', (error) => {
      this.logger.warn({ msg: 'outbox listener lost; relaying by polling only', err: error });
      this.listener = undefined;
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
      if (this.stopping) {
        await client.end();
      } else {
        this.listener = client;
        // Rows committed before the LISTEN took effect notified nobody.
        wake();
      }
    } catch (error) {
      this.logger.warn({
        msg: 'outbox listener not started; relaying by polling only',
        err: error,
      });
      await client.end().catch(() => undefined);
    }
  }

  /** Stops both loops, letting a running pass finish its current batch. */
  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    await this.listener?.end().catch(() => undefined);
    await Promise.all(this.loops.map((loop) => loop.stop()));
  }

  // Before the pools close: running jobs finish, then their rows are marked.
  async beforeApplicationShutdown(): Promise<void> {
    await this.queues.close();
    await Promise.all(this.marking);
  }

  /** Hands every unsent row to Bull, a batch per transaction. */
  async relay(): Promise<void> {
    let full: boolean;
    do {
      const { claimed, added } = await this.db.transaction(undefined, async (tx) => {
        const rows = await this.outbox.claimUnsent(tx, BATCH);
        const added = await this.addAll(rows);
        await this.outbox.markEnqueued(
          tx,
          added.map((row) => row.id),
        );

        return { claimed: rows.length, added };
      });
      added.forEach((row) => this.metrics.relayed.inc({ queue: row.queue }));
      full = claimed === BATCH && added.length === claimed;
    } while (full && !this.stopping);
  }

  /** Checks long-unfinished rows against Bull, a batch per transaction. */
  async reconcile(): Promise<void> {
    let full: boolean;
    do {
      const { claimed, lost, readded } = await this.db.transaction(undefined, (tx) =>
        this.reconcileBatch(tx),
      );
      if (readded.length > 0) {
        readded.forEach((row) => this.metrics.reenqueued.inc({ queue: row.queue }));
        this.logger.warn({
          msg: 'outbox jobs missing from Redis were enqueued again',
          jobIds: readded.map((row) => row.jobId),
        });
      }
      full = claimed === BATCH && readded.length === lost;
    } while (full && !this.stopping);
  }

  private async reconcileBatch(
    tx: Tx,
  ): Promise<{ claimed: number; lost: number; readded: OutboxRow[] }> {
    const rows = await this.outbox.claimUnfinished(tx, this.config.outbox.reconcileAfterMs, BATCH);
    const verdicts = await Promise.all(rows.map((row) => this.inspect(row)));
    const lost = rows.filter((_, i) => verdicts[i] === 'lost');
    const readded = await this.addAll(lost);
    await this.outbox.markEnqueued(
      tx,
      readded.map((row) => row.id),
    );
    await this.outbox.markChecked(
      tx,
      rows.filter((_, i) => verdicts[i] === 'alive').map((row) => row.id),
    );
    for (const [i, row] of rows.entries()) {
      const verdict = verdicts[i]!;
      if (verdict === 'completed') {
        await this.outbox.markCompleted(tx, row.queue, row.jobId);
      } else if (typeof verdict === 'object') {
        await this.outbox.markFailed(tx, row.queue, row.jobId, verdict.failed, true);
      }
    }

    return { claimed: rows.length, lost: lost.length, readded };
  }

  private async inspect(row: OutboxRow): Promise<Verdict> {
    const job = await this.queues.get(row.queue).getJob(row.jobId);
    if (!job) {
      return 'lost';
    }
    // getState reads Bull's lists one by one: a moving job can look 'stuck', so that is alive.
    const state = await job.getState();
    switch (state) {
      case 'completed':
        return 'completed';
      case 'failed':
        return { failed: job.failedReason ?? 'failed' };
      case 'active':
      case 'waiting':
      case 'delayed':
      case 'paused':
      case 'stuck':
        return 'alive';
    }
  }

  /** Adds the rows' jobs, returning those Bull accepted (the rest stay unsent for a later pass). */
  private async addAll(rows: OutboxRow[]): Promise<OutboxRow[]> {
    const results = await Promise.allSettled(
      rows.map((row) =>
        withTimeout(
          this.queues.get(row.queue).add(row.name, row.payload, {
            jobId: row.jobId,
            delay: Math.ceil(row.dueInMs),
          }),
          ADD_TIMEOUT_MS,
          `queue ${row.queue}`,
        ),
      ),
    );
    const failure = results.find((result) => result.status === 'rejected');
    if (failure) {
      this.logger.warn({ msg: 'outbox jobs not added to Bull, will retry', err: failure.reason });
    }

    return rows.filter((_, i) => results[i]!.status === 'fulfilled');
  }

  private recordOutcomes(queue: Queue): void {
    queue.on('completed', (job: Job) =>
      this.track(this.outbox.markCompleted(this.db.manager, queue.name, String(job.id))),
    );
    // finishedOn is set only when Bull gives up (attempts exhausted or discarded).
    queue.on('failed', (job: Job, error: unknown) =>
      this.track(
        this.outbox.markFailed(
          this.db.manager,
          queue.name,
          String(job.id),
          job.failedReason ?? String(error),
          Boolean(job.finishedOn),
        ),
      ),
    );
  }

  // A lost mark is repaired by the reconcile pass, so a failure here is only logged.
  private track(mark: Promise<void>): void {
    const tracked = mark
      .catch((error: unknown) =>
        this.logger.warn({ msg: 'outbox outcome not recorded', err: error }),
      )
      .finally(() => this.marking.delete(tracked));
    this.marking.add(tracked);
  }
}

/**
 * Runs `pass` every `everyMs` after the previous one ended, or at once on `kick` (after the
 * running pass, if any); `stop` waits for a running pass.
 */
class Loop {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private kicked = false;
  private stopped = false;

  constructor(
    private readonly everyMs: number,
    private readonly pass: () => Promise<void>,
    private readonly onError: (error: unknown) => void,
  ) {
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  kick(): void {
    if (this.stopped) {
      return;
    }
    if (this.running) {
      this.kicked = true;

      return;
    }
    clearTimeout(this.timer);
    this.run();
  }

  private schedule(): void {
    this.timer = setTimeout(() => this.run(), this.everyMs);
  }

  private run(): void {
    this.running = this.pass()
      .catch(this.onError)
      .finally(() => {
        this.running = undefined;
        if (this.stopped) {
          return;
        }
        if (this.kicked) {
          this.kicked = false;
          this.run();
        } else {
          this.schedule();
        }
      });
  }
}
