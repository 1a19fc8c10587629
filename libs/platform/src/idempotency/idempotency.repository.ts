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

export interface Completion {
  scope: string;
  key: string;
  lockId: string;
  response: StoredResponse;
}

/** An idempotency_keys row as SQL selects it (ledger_post_transfer_once returns the same). */
export interface KeyRow {
  request_hash: string;
  state: 'in_progress' | 'completed';
  response_status: number | null;
  response_body: unknown;
  response_headers: Record<string, string> | null;
}

export function toStoredKey(row: KeyRow): StoredKey {
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

@Injectable()
export class IdempotencyRepository {
  /**
   * Takes each key for its request, returning the lock ids that got theirs; the others are held
   * by another request. A row that has expired, or whose in_progress lock is older than
   * `staleAfterSeconds` for this same request (its process died), is taken over in the same
   * statement: ON CONFLICT locks the row and re-checks the WHERE on its latest version, so of two
   * racing takeovers exactly one wins. Keys must be distinct; rows go in (scope, key) order so
   * two batches sharing keys lock them in the same order and cannot deadlock.
   */
  async claimMany(
    tx: Tx,
    keys: NewKey[],
    ttlHours: number,
    staleAfterSeconds: number,
  ): Promise<Set<string>> {
    const claimed = await rows<{ lock_id: string }>(
      tx,
      `
      INSERT INTO idempotency_keys AS k
             (scope, key, method, path, request_hash, state, lock_id, locked_at, expires_at)
      SELECT scope, key, method, path, request_hash, 'in_progress', lock_id, now(),
             now() + make_interval(hours => $7)
        FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::uuid[])
             AS t(scope, key, method, path, request_hash, lock_id)
       ORDER BY scope, key
      ON CONFLICT (scope, key) DO UPDATE
         SET method = EXCLUDED.method, path = EXCLUDED.path, request_hash = EXCLUDED.request_hash,
             state = 'in_progress', lock_id = EXCLUDED.lock_id, response_status = NULL,
             response_body = NULL, response_headers = NULL, created_at = now(),
             locked_at = now(), expires_at = EXCLUDED.expires_at
       WHERE k.expires_at <= now()
          OR (k.state = 'in_progress' AND k.request_hash = EXCLUDED.request_hash
              AND k.locked_at < now() - make_interval(secs => $8))
      RETURNING lock_id`,
      [
        keys.map((k) => k.scope),
        keys.map((k) => k.key),
        keys.map((k) => k.method),
        keys.map((k) => k.path),
        keys.map((k) => k.requestHash),
        keys.map((k) => k.lockId),
        ttlHours,
        staleAfterSeconds,
      ],
    );

    return new Set(claimed.map((row) => row.lock_id));
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

    return row && toStoredKey(row);
  }

  /**
   * Stores each response under its key, returning the lock ids that still held theirs; a lock
   * taken over meanwhile is left to its new holder, whose outcome wins.
   */
  async completeMany(tx: Tx, completions: Completion[]): Promise<Set<string>> {
    const updated = await rows<{ lock_id: string }>(
      tx,
      `
      UPDATE idempotency_keys AS k
         SET state = 'completed', lock_id = NULL, response_status = t.status,
             response_body = t.body::jsonb, response_headers = t.headers::jsonb
        FROM unnest($1::text[], $2::text[], $3::uuid[], $4::int[], $5::text[], $6::text[])
             AS t(scope, key, lock_id, status, body, headers)
       WHERE k.scope = t.scope AND k.key = t.key AND k.lock_id = t.lock_id
      RETURNING t.lock_id`,
      [
        completions.map((c) => c.scope),
        completions.map((c) => c.key),
        completions.map((c) => c.lockId),
        completions.map((c) => c.response.status),
        completions.map((c) =>
          c.response.body === undefined ? null : JSON.stringify(c.response.body),
        ),
        completions.map((c) => JSON.stringify(c.response.headers)),
      ],
    );

    return new Set(updated.map((row) => row.lock_id));
  }

  /**
   * The key's lock for the rest of `tx` (idempotency_try_lock, migration 1764000012000); false while another
   * transaction holds it.
   */
  async tryLock(tx: Tx, scope: string, key: string): Promise<boolean> {
    const [row] = await rows<{ locked: boolean }>(
      tx,
      `SELECT idempotency_try_lock($1, $2) AS locked`,
      [scope, key],
    );

    return row!.locked;
  }

  /**
   * Stores a key already answered, in the caller's transaction; an expired row is taken over.
   * False when a live row holds the key (the generic path claimed it meanwhile).
   */
  async insertCompleted(
    tx: Tx,
    key: Omit<NewKey, 'lockId'>,
    response: StoredResponse,
    ttlHours: number,
  ): Promise<boolean> {
    const stored = await rows(
      tx,
      `
      INSERT INTO idempotency_keys AS k
             (scope, key, method, path, request_hash, state, response_status, response_body,
              response_headers, expires_at)
      VALUES ($1, $2, $3, $4, $5, 'completed', $6, $7::jsonb, $8::jsonb,
              now() + make_interval(hours => $9))
      ON CONFLICT (scope, key) DO UPDATE
         SET method = EXCLUDED.method, path = EXCLUDED.path, request_hash = EXCLUDED.request_hash,
             state = 'completed', lock_id = NULL, response_status = EXCLUDED.response_status,
             response_body = EXCLUDED.response_body, response_headers = EXCLUDED.response_headers,
             created_at = now(), locked_at = now(), expires_at = EXCLUDED.expires_at
       WHERE k.expires_at <= now()
      RETURNING 1`,
      [
        key.scope,
        key.key,
        key.method,
        key.path,
        key.requestHash,
        response.status,
        response.body === undefined ? null : JSON.stringify(response.body),
        JSON.stringify(response.headers),
        ttlHours,
      ],
    );

    return stored.length > 0;
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
