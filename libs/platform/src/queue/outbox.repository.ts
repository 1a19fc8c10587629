import { Injectable } from '@nestjs/common';
import { rows, type Tx } from '../database/database';
import { JOB_TRACE_KEY, type TraceCarrier } from '../telemetry/trace-context';

/** The channel an outbox insert notifies on commit; the relays LISTEN on it. */
export const OUTBOX_CHANNEL = 'bourse_outbox';

export interface OutboxJob<T extends object = object> {
  queue: string;
  /** Job name, `<lib>.<verb-noun>`. */
  name: string;
  /** Deterministic id from the business key (`void:${transferId}`): duplicates collapse. */
  jobId: string;
  payload: T;
  /** Run no earlier than this long after the enqueuing transaction. */
  delayMs?: number;
}

/** What the repository stores beside a job: the trace context of the code that enqueued it. */
export interface OutboxInsert extends OutboxJob {
  traceContext: TraceCarrier | null;
}

/** An outbox row as the relay hands it to Bull. */
export interface OutboxRow {
  id: string;
  queue: string;
  name: string;
  jobId: string;
  /** The job's data: the enqueued payload, plus its `traceContext` when the enqueuer was traced. */
  payload: object;
  /** What is left of the row's delay now (its due time is fixed at insert). */
  dueInMs: number;
}

// clock_timestamp(), not now(): a row committed after the claiming transaction began has a
// created_at later than that transaction's now(), which would read as a delay it never had.
const ROW = `id, queue, name, job_id AS "jobId",
             CASE WHEN trace_context IS NULL OR jsonb_typeof(payload) <> 'object' THEN payload
                  ELSE payload || jsonb_build_object('${JOB_TRACE_KEY}', trace_context) END AS payload,
             GREATEST(0, delay_ms - extract(epoch FROM clock_timestamp() - created_at) * 1000)::float8
               AS "dueInMs"`;

/** SQL of the transactional outbox; the relay's claims rely on the two partial indexes. */
@Injectable()
export class OutboxRepository {
  /** True when the row is new; false when a row with this job id already exists. */
  /**
   * Inserts the job once per job id and, when inserted, notifies OUTBOX_CHANNEL: Postgres sends
   * the notification at commit (one per transaction), so the relays listening run a pass then
   * instead of at their next poll.
   */
  async insert(tx: Tx, job: OutboxInsert): Promise<boolean> {
    const inserted = await rows(
      tx,
      `WITH inserted AS (
         INSERT INTO outbox (queue, name, job_id, payload, delay_ms, trace_context)
         VALUES ($1, $2, $3, $4::jsonb, $5, $6::jsonb)
         ON CONFLICT (job_id) DO NOTHING
         RETURNING id
       )
       SELECT id, pg_notify('${OUTBOX_CHANNEL}', '') FROM inserted`,
      [
        job.queue,
        job.name,
        job.jobId,
        JSON.stringify(job.payload),
        job.delayMs ?? 0,
        job.traceContext === null ? null : JSON.stringify(job.traceContext),
      ],
    );

    return inserted.length === 1;
  }

  /** Rows not yet handed to Bull, locked so concurrent relays each take different ones. */
  claimUnsent(tx: Tx, limit: number): Promise<OutboxRow[]> {
    return rows<OutboxRow>(
      tx,
      `SELECT ${ROW}
         FROM outbox
        WHERE enqueued_at IS NULL
        ORDER BY id
        LIMIT $1
          FOR UPDATE SKIP LOCKED`,
      [limit],
    );
  }

  /** Handed to Bull but unfinished and not checked for `olderThanMs`: their job may be lost. */
  claimUnfinished(tx: Tx, olderThanMs: number, limit: number): Promise<OutboxRow[]> {
    return rows<OutboxRow>(
      tx,
      `SELECT ${ROW}
         FROM outbox
        WHERE enqueued_at IS NOT NULL AND completed_at IS NULL AND failed_at IS NULL
          AND checked_at < now() - $1 * interval '1 millisecond'
        ORDER BY checked_at
        LIMIT $2
          FOR UPDATE SKIP LOCKED`,
      [olderThanMs, limit],
    );
  }

  /** Bull accepted the jobs (again, after a loss, when `attempts` goes above one). */
  async markEnqueued(tx: Tx, ids: string[]): Promise<void> {
    if (ids.length === 0) {
      return;
    }
    await rows(
      tx,
      `UPDATE outbox
          SET enqueued_at = coalesce(enqueued_at, now()), checked_at = now(), attempts = attempts + 1
        WHERE id = ANY($1::bigint[])`,
      [ids],
    );
  }

  /** Bull still holds the jobs, unfinished: look again after the reconcile delay. */
  async markChecked(tx: Tx, ids: string[]): Promise<void> {
    if (ids.length === 0) {
      return;
    }
    await rows(tx, `UPDATE outbox SET checked_at = now() WHERE id = ANY($1::bigint[])`, [ids]);
  }

  async markCompleted(tx: Tx, queue: string, jobId: string): Promise<void> {
    await rows(
      tx,
      `UPDATE outbox SET completed_at = now()
        WHERE job_id = $1 AND queue = $2 AND completed_at IS NULL`,
      [jobId, queue],
    );
  }

  /** Records an attempt's error; `final` (attempts exhausted) stops the reconcile re-sending it. */
  async markFailed(
    tx: Tx,
    queue: string,
    jobId: string,
    error: string,
    final: boolean,
  ): Promise<void> {
    await rows(
      tx,
      `UPDATE outbox
          SET last_error = $3, failed_at = CASE WHEN $4 THEN coalesce(failed_at, now()) ELSE failed_at END
        WHERE job_id = $1 AND queue = $2 AND completed_at IS NULL`,
      [jobId, queue, error.slice(0, 2000), final],
    );
  }

  /** Deletes up to `limit` rows finished before `before` (outbox_finished_idx); returns how many. */
  async deleteFinished(tx: Tx, before: Date, limit: number): Promise<number> {
    const deleted = await rows(
      tx,
      `DELETE FROM outbox
        WHERE id IN (SELECT id FROM outbox
                      WHERE (completed_at IS NOT NULL OR failed_at IS NOT NULL)
                        AND COALESCE(completed_at, failed_at) < $1
                      LIMIT $2)
       RETURNING id`,
      [before, limit],
    );

    return deleted.length;
  }

  /** Seconds the oldest unsent row has waited for the relay (0 when none waits). */
  async oldestUnsentSeconds(tx: Tx): Promise<number> {
    const [row] = await rows<{ s: number }>(
      tx,
      `SELECT coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8 AS s
         FROM outbox WHERE enqueued_at IS NULL`,
    );

    return row?.s ?? 0;
  }

  async countUnsent(tx: Tx): Promise<number> {
    const [row] = await rows<{ n: number }>(
      tx,
      `SELECT count(*)::int AS n FROM outbox WHERE enqueued_at IS NULL`,
    );

    return row?.n ?? 0;
  }
}
