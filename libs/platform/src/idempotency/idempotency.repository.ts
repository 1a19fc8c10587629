import { Injectable } from '@nestjs/common';
import { rows, type Tx } from '../database/database';

export interface StoredResponse {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

export type StoredKey =
  | { state: 'in_progress'; requestHash: string }
  | { state: 'completed'; requestHash: string; response: StoredResponse };

export interface NewKey {
  scope: string;
  key: string;
  method: string;
  path: string;
  requestHash: string;
  lockId: string;
}

interface KeyRow {
  request_hash: string;
  state: 'in_progress' | 'completed';
  response_status: number | null;
  response_body: unknown;
  response_headers: Record<string, string> | null;
}

@Injectable()
export class IdempotencyRepository {
  /**
   * Takes the key for this request, or returns false if another request holds it. A row that has
   * expired, or whose in_progress lock is older than `staleAfterSeconds` for this same request (its
   * process died), is taken over in the same statement: ON CONFLICT locks the row and re-checks
   * the WHERE on its latest version, so of two racing takeovers exactly one wins.
   */
  async claim(tx: Tx, k: NewKey, ttlHours: number, staleAfterSeconds: number): Promise<boolean> {
    const claimed = await rows(
      tx,
      `
      INSERT INTO idempotency_keys AS k
             (scope, key, method, path, request_hash, state, lock_id, locked_at, expires_at)
      VALUES ($1, $2, $3, $4, $5, 'in_progress', $6, now(), now() + make_interval(hours => $7))
      ON CONFLICT (scope, key) DO UPDATE
         SET method = EXCLUDED.method, path = EXCLUDED.path, request_hash = EXCLUDED.request_hash,
             state = 'in_progress', lock_id = EXCLUDED.lock_id, response_status = NULL,
             response_body = NULL, response_headers = NULL, created_at = now(),
             locked_at = now(), expires_at = EXCLUDED.expires_at
       WHERE k.expires_at <= now()
          OR (k.state = 'in_progress' AND k.request_hash = EXCLUDED.request_hash
              AND k.locked_at < now() - make_interval(secs => $8))
      RETURNING lock_id`,
      [k.scope, k.key, k.method, k.path, k.requestHash, k.lockId, ttlHours, staleAfterSeconds],
    );

    return claimed.length === 1;
  }

  async find(tx: Tx, scope: string, key: string): Promise<StoredKey | undefined> {
    const [row] = await rows<KeyRow>(
      tx,
      `
      SELECT request_hash, state, response_status, response_body, response_headers
        FROM idempotency_keys
       WHERE scope = $1 AND key = $2 AND expires_at > now()`,
      [scope, key],
    );
    if (!row) {
      return undefined;
    }

    if (row.state === 'in_progress' || row.response_status === null) {
      return { state: 'in_progress', requestHash: row.request_hash };
    }

    return {
      state: 'completed',
      requestHash: row.request_hash,
      response: {
        status: row.response_status,
        body: row.response_body ?? undefined,
        headers: row.response_headers ?? {},
      },
    };
  }

  /** False when the lock was taken over meanwhile; the new holder's outcome wins. */
  async complete(
    tx: Tx,
    scope: string,
    key: string,
    lockId: string,
    response: StoredResponse,
  ): Promise<boolean> {
    const updated = await rows(
      tx,
      `
      UPDATE idempotency_keys
         SET state = 'completed', lock_id = NULL, response_status = $4,
             response_body = $5::jsonb, response_headers = $6::jsonb
       WHERE scope = $1 AND key = $2 AND lock_id = $3
      RETURNING key`,
      [
        scope,
        key,
        lockId,
        response.status,
        response.body === undefined ? null : JSON.stringify(response.body),
        JSON.stringify(response.headers),
      ],
    );

    return updated.length === 1;
  }

  async release(tx: Tx, scope: string, key: string, lockId: string): Promise<void> {
    await rows(tx, `DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND lock_id = $3`, [
      scope,
      key,
      lockId,
    ]);
  }

  /** One batch; SKIP LOCKED leaves rows being taken over to their new holder. */
  async deleteExpired(tx: Tx, now: Date, limit: number): Promise<number> {
    const deleted = await rows(
      tx,
      `
      DELETE FROM idempotency_keys
       WHERE (scope, key) IN (SELECT scope, key FROM idempotency_keys
                               WHERE expires_at <= $1
                               LIMIT $2
                                 FOR UPDATE SKIP LOCKED)
      RETURNING key`,
      [now, limit],
    );

    return deleted.length;
  }
}
