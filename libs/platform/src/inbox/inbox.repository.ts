import { Injectable } from '@nestjs/common';
import { rows, type Tx } from '../database/database';

/** A stored provider event, as its handler receives it. */
export interface InboxEvent {
  id: string;
  provider: string;
  eventId: string;
  type: string;
  payload: Record<string, unknown>;
  receivedAt: Date;
  /** Processing runs before this one. */
  attempts: number;
}

const EVENT = `id, provider, event_id AS "eventId", event_type AS "type", payload,
               received_at AS "receivedAt", attempts`;

/** SQL of the inbox; the lag and sweep reads rely on inbox_unprocessed_idx. */
@Injectable()
export class InboxRepository {
  /** The new row's id; undefined when this provider already sent this event id. */
  async insert(
    tx: Tx,
    event: { provider: string; eventId: string; type: string; payload: object },
  ): Promise<string | undefined> {
    const [inserted] = await rows<{ id: string }>(
      tx,
      `INSERT INTO inbox (provider, event_id, event_type, payload)
       VALUES ($1, $2, $3, $4::jsonb)
       ON CONFLICT (provider, event_id) DO NOTHING
       RETURNING id`,
      [event.provider, event.eventId, event.type, JSON.stringify(event.payload)],
    );

    return inserted?.id;
  }

  /**
   * The event if still unprocessed, locked until `tx` ends: a second run of the same event (a
   * redelivered job, the sweep) waits here, then finds it processed.
   */
  async lockUnprocessed(tx: Tx, id: string): Promise<InboxEvent | undefined> {
    const [event] = await rows<InboxEvent>(
      tx,
      `SELECT ${EVENT} FROM inbox WHERE id = $1 AND processed_at IS NULL FOR UPDATE`,
      [id],
    );

    return event;
  }

  async markProcessed(tx: Tx, id: string): Promise<void> {
    await rows(tx, `UPDATE inbox SET processed_at = now(), attempts = attempts + 1 WHERE id = $1`, [
      id,
    ]);
  }

  async recordFailure(tx: Tx, id: string, error: string): Promise<void> {
    await rows(
      tx,
      `UPDATE inbox SET attempts = attempts + 1, last_error = $2
        WHERE id = $1 AND processed_at IS NULL`,
      [id, error.slice(0, 2000)],
    );
  }

  /**
   * Unprocessed events received over `olderThanSeconds` ago whose job no longer runs: its outbox
   * row finished (failed out of attempts, or completed without processing) or was purged. Events
   * whose job is still pending or retrying are left to it.
   */
  orphans(tx: Tx, olderThanSeconds: number, limit: number): Promise<{ id: string }[]> {
    return rows<{ id: string }>(
      tx,
      `SELECT i.id FROM inbox i
        WHERE i.processed_at IS NULL
          AND i.received_at < now() - $1 * interval '1 second'
          AND NOT EXISTS (SELECT 1 FROM outbox o
                           WHERE o.job_id = 'inbox:' || i.id
                             AND o.completed_at IS NULL AND o.failed_at IS NULL)
        ORDER BY i.received_at
        LIMIT $2`,
      [olderThanSeconds, limit],
    );
  }

  /** Age of the oldest unprocessed event in seconds, 0 when there is none. */
  async oldestUnprocessedAgeSeconds(tx: Tx): Promise<number> {
    const [row] = await rows<{ age: number | null }>(
      tx,
      `SELECT extract(epoch FROM now() - min(received_at))::float8 AS age
         FROM inbox WHERE processed_at IS NULL`,
    );

    return Math.max(0, row?.age ?? 0);
  }
}
