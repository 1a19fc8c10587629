import { Injectable } from '@nestjs/common';
import { rows, type Tx } from '../database/database';

/** An answer as stored under its key: its status and the exact JSON text first sent (or null). */
export interface StoredResponse {
  status: number;
  body: string | null;
}

export interface StoredKey {
  requestHash: string;
  response: StoredResponse;
}

/** What a keyed call stores: who sent what, and the answer it got. */
export interface KeyToStore {
  scope: string;
  key: string;
  method: string;
  path: string;
  requestHash: string;
}

/** A stored key as SQL selects it (idempotency_find; a lib's keyed statement returns the same). */
export interface KeyRow {
  request_hash: string;
  response_status: number;
  response_body: string | null;
}

export const toStoredKey = (row: KeyRow): StoredKey => ({
  requestHash: row.request_hash,
  response: { status: row.response_status, body: row.response_body },
});

/**
 * The key's statements, each a call of the platform's SQL function (migrations 1764000012000 and
 * 1765400000000), which a lib's own SQL calls too when it stores its key in a statement of its own.
 */
@Injectable()
export class IdempotencyRepository {
  /** The key's lock for the rest of `tx`; false while another transaction holds it. */
  async tryLock(tx: Tx, scope: string, key: string): Promise<boolean> {
    const [row] = await rows<{ locked: boolean }>(
      tx,
      `SELECT idempotency_try_lock($1, $2) AS locked`,
      [scope, key],
    );

    return row!.locked;
  }

  async find(tx: Tx, scope: string, key: string): Promise<StoredKey | undefined> {
    const [row] = await rows<KeyRow>(
      tx,
      `SELECT request_hash, response_status, response_body FROM idempotency_find($1, $2)`,
      [scope, key],
    );

    return row && toStoredKey(row);
  }

  /** Stores the answer in `tx`; false when a live row holds the key (see idempotency_store). */
  async store(
    tx: Tx,
    key: KeyToStore,
    response: StoredResponse,
    ttlHours: number,
  ): Promise<boolean> {
    const [row] = await rows<{ stored: boolean }>(
      tx,
      `SELECT idempotency_store($1, $2, $3, $4, $5, $6, $7, $8) AS stored`,
      [
        key.scope,
        key.key,
        key.method,
        key.path,
        key.requestHash,
        response.status,
        response.body,
        ttlHours,
      ],
    );

    return row!.stored;
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
