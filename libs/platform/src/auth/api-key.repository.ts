import { Injectable } from '@nestjs/common';
import { rows, type Tx } from '../database/database';

export interface ApiKey {
  id: string;
  name: string;
  scopes: string[];
  createdBy: string | null;
  createdAt: Date;
  lastUsedAt: Date | null;
  /** Null: valid until revoked. */
  expiresAt: Date | null;
  revokedAt: Date | null;
}

export interface ApiKeyWithSecret extends ApiKey {
  secretHash: Buffer;
}

const COLUMNS = `id, name, scopes, created_by AS "createdBy", created_at AS "createdAt",
  last_used_at AS "lastUsedAt", expires_at AS "expiresAt", revoked_at AS "revokedAt"`;

@Injectable()
export class ApiKeyRepository {
  async insert(
    tx: Tx,
    key: {
      id: string;
      name: string;
      secretHash: Buffer;
      scopes: string[];
      createdBy: string;
      expiresAt: Date | null;
    },
  ): Promise<ApiKey> {
    const [row] = await rows<ApiKey>(
      tx,
      `INSERT INTO api_keys (id, name, secret_hash, scopes, created_by, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6)
       RETURNING ${COLUMNS}`,
      [key.id, key.name, key.secretHash, key.scopes, key.createdBy, key.expiresAt],
    );

    return row!;
  }

  /** Only keys that still work; a revoked or expired key is as good as unknown. */
  async findActive(tx: Tx, id: string): Promise<ApiKeyWithSecret | undefined> {
    const [row] = await rows<ApiKeyWithSecret>(
      tx,
      `SELECT ${COLUMNS}, secret_hash AS "secretHash"
         FROM api_keys
        WHERE id = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())`,
      [id],
    );

    return row;
  }

  async list(tx: Tx): Promise<ApiKey[]> {
    return rows<ApiKey>(tx, `SELECT ${COLUMNS} FROM api_keys ORDER BY id DESC`);
  }

  /** False when no such key exists; revoking a revoked key keeps its first revocation time. */
  async revoke(tx: Tx, id: string): Promise<boolean> {
    const found = await rows(
      tx,
      `UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 RETURNING id`,
      [id],
    );

    return found.length === 1;
  }

  /** At most one write a minute per key, so a busy integration does not rewrite the row per call. */
  async touch(tx: Tx, id: string): Promise<void> {
    await rows(
      tx,
      `UPDATE api_keys SET last_used_at = now()
        WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`,
      [id],
    );
  }
}
