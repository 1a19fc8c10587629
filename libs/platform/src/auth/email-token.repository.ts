import { Injectable } from '@nestjs/common';
import { rows, type Tx } from '../database/database';

export type EmailTokenPurpose = 'verify_email' | 'reset_password';

export interface EmailTokenRow {
  id: string;
  purpose: EmailTokenPurpose;
  userId: string | null;
  email: string;
  secretHash: Buffer;
  expiresAt: Date;
  usedAt: Date | null;
}

const COLUMNS = `id, purpose, user_id AS "userId", email, secret_hash AS "secretHash",
  expires_at AS "expiresAt", used_at AS "usedAt"`;

@Injectable()
export class EmailTokenRepository {
  async insert(
    tx: Tx,
    token: Omit<EmailTokenRow, 'usedAt' | 'expiresAt'> & { ttlSeconds: number },
  ): Promise<void> {
    await rows(
      tx,
      `INSERT INTO email_tokens (id, purpose, user_id, email, secret_hash, expires_at)
       VALUES ($1, $2, $3, $4, $5, now() + make_interval(secs => $6))`,
      [token.id, token.purpose, token.userId, token.email, token.secretHash, token.ttlSeconds],
    );
  }

  async findById(tx: Tx, id: string): Promise<EmailTokenRow | undefined> {
    const [row] = await rows<EmailTokenRow>(
      tx,
      `SELECT ${COLUMNS} FROM email_tokens WHERE id = $1`,
      [id],
    );

    return row;
  }

  /**
   * Spends a live token: true once. A concurrent spend waits for the first to commit, then
   * re-checks `used_at` and matches nothing.
   */
  async spend(tx: Tx, id: string): Promise<boolean> {
    const spent = await rows(
      tx,
      `UPDATE email_tokens SET used_at = now()
        WHERE id = $1 AND used_at IS NULL AND expires_at > now()
       RETURNING id`,
      [id],
    );

    return spent.length === 1;
  }

  /** Ends the other live tokens of a user and purpose (a newer link, or the job is done). */
  async spendAllOf(tx: Tx, userId: string, purpose: EmailTokenPurpose): Promise<void> {
    await rows(
      tx,
      `UPDATE email_tokens SET used_at = now()
        WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL`,
      [userId, purpose],
    );
  }

  /** Seconds since the last e-mail of this purpose to the address; null if none. */
  async secondsSinceLast(
    tx: Tx,
    email: string,
    purpose: EmailTokenPurpose,
  ): Promise<number | null> {
    const [row] = await rows<{ seconds: number | null }>(
      tx,
      `SELECT extract(epoch FROM now() - max(created_at))::float8 AS seconds
         FROM email_tokens WHERE email = $1 AND purpose = $2`,
      [email, purpose],
    );

    return row?.seconds ?? null;
  }
}
