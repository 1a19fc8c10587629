import { Injectable } from '@nestjs/common';
import { Database, type Tx } from '../database/database';
import { currentTraceCarrier } from '../telemetry/trace-context';
import { OutboxRepository, type OutboxJob } from './outbox.repository';

const PURGE_BATCH = 5000;

/**
 * Writes jobs into the outbox inside the caller's transaction, so a job exists exactly when the
 * state change that causes it committed; the worker's relay moves the rows into Bull.
 */
@Injectable()
export class OutboxService {
  constructor(
    private readonly db: Database,
    private readonly outbox: OutboxRepository,
  ) {}

  /** False when a job with this id was already enqueued (it is not enqueued twice). */
  enqueue<T extends object>(tx: Tx, job: OutboxJob<T>): Promise<boolean> {
    // Bull numbers its own jobs; a numeric custom id could collide with one of them.
    if (/^\d*$/.test(job.jobId)) {
      throw new Error(`Outbox job id must be a non-numeric business key, got "${job.jobId}"`);
    }

    // The relay enqueues later, outside this request: the row carries its trace onward.
    return this.outbox.insert(tx, { ...job, traceContext: currentTraceCarrier() });
  }

  /**
   * Deletes rows finished (completed or failed) before `before`, in bounded batches; returns how
   * many. A purged job id is no longer deduplicated, so the retention must outlast any retry of
   * the business operation that wrote it.
   */
  async purgeFinished(before: Date): Promise<number> {
    let total = 0;
    for (;;) {
      const deleted = await this.outbox.deleteFinished(this.db.manager, before, PURGE_BATCH);
      total += deleted;
      if (deleted < PURGE_BATCH) {
        return total;
      }
    }
  }
}
