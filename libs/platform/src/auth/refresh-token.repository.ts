import { Injectable } from '@nestjs/common';
import { rows, type Tx } from '../database/database';

export interface RefreshTokenRow {
  id: string;
  familyId: string;
  userId: string;
  secretHash: Buffer;
  expiresAt: Date;
  usedAt: Date | null;
  revokedAt: Date | null;
}

@Injectable()
export class RefreshTokenRepository {
  async insert(
    tx: Tx,
    token: { id: string; familyId: string; userId: string; secretHash: Buffer; expiresAt: Date },
  ): Promise<void> {
    await rows(
      tx,
      `INSERT INTO refresh_tokens (id, family_id, user_id, secret_hash, expires_at)
       VALUES ($1, $2, $3, $4, $5)`,
      [token.id, token.familyId, token.userId, token.secretHash, token.expiresAt],
    );
  }

  async findById(tx: Tx, id: string): Promise<RefreshTokenRow | undefined> {
    const [row] = await rows<RefreshTokenRow>(
      tx,
      `SELECT id, family_id AS "familyId", user_id AS "userId", secret_hash AS "secretHash",
              expires_at AS "expiresAt", used_at AS "usedAt", revoked_at AS "revokedAt"
         FROM refresh_tokens
        WHERE id = $1`,
      [id],
    );

    return row;
  }

  /**
   * Spends a token. Under READ COMMITTED a concurrent spend of the same row waits for the first
   * to commit, then re-checks `used_at` and matches nothing: exactly one caller gets `true`.
   */
  async markUsed(tx: Tx, id: string): Promise<boolean> {
    const spent = await rows(
      tx,
      `UPDATE refresh_tokens
          SET used_at = now()
        WHERE id = $1 AND used_at IS NULL AND revoked_at IS NULL
       RETURNING id`,
      [id],
    );

    return spent.length === 1;
  }

  /** Ends a session; returns its id if it was still alive (for RevokedSessions). */
  revokeFamily(tx: Tx, familyId: string): Promise<string[]> {
    return this.revokeWhere(tx, 'family_id', familyId);
  }

  /** Ends every session of the user (a password change); returns the sessions it ended. */
  revokeAllOf(tx: Tx, userId: string): Promise<string[]> {
    return this.revokeWhere(tx, 'user_id', userId);
  }

  /** Sessions ended after `since`, each with when (served by a partial index on revoked_at). */
  revokedSince(tx: Tx, since: Date): Promise<{ familyId: string; revokedAt: Date }[]> {
    return rows(
      tx,
      `SELECT family_id AS "familyId", max(revoked_at) AS "revokedAt"
         FROM refresh_tokens
        WHERE revoked_at > $1
        GROUP BY family_id`,
      [since],
    );
  }

  /** Revokes the live tokens whose `column` is `value`; returns the sessions it ended. */
  private async revokeWhere(
    tx: Tx,
    column: 'family_id' | 'user_id',
    value: string,
  ): Promise<string[]> {
    return familiesOf(
      await rows<{ familyId: string }>(
        tx,
        `UPDATE refresh_tokens SET revoked_at = now()
          WHERE ${column} = $1 AND revoked_at IS NULL
         RETURNING family_id AS "familyId"`,
        [value],
      ),
    );
  }
}

const familiesOf = (revoked: { familyId: string }[]): string[] => [
  ...new Set(revoked.map((row) => row.familyId)),
];
