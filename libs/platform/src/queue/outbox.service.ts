import { Injectable } from '@nestjs/common';
import type { Tx } from '../database/database';
import { OutboxRepository, type OutboxJob } from './outbox.repository';

/**
 * Writes jobs into the outbox inside the caller's transaction, so a job exists exactly when the
 * state change that causes it committed; the worker's relay moves the rows into Bull.
 */
@Injectable()
export class OutboxService {
  constructor(private readonly outbox: OutboxRepository) {}

  /** False when a job with this id was already enqueued (it is not enqueued twice). */
  enqueue<T extends object>(tx: Tx, job: OutboxJob<T>): Promise<boolean> {
    // Bull numbers its own jobs; a numeric custom id could collide with one of them.
    if (/^\d*$/.test(job.jobId)) {
      throw new Error(`Outbox job id must be a non-numeric business key, got "${job.jobId}"`);
    }

    return this.outbox.insert(tx, job);
  }
}
