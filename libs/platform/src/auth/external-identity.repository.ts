import { Injectable } from '@nestjs/common';
import { rows, type Tx } from '../database/database';

@Injectable()
export class ExternalIdentityRepository {
  async userOf(tx: Tx, issuer: string, subject: string): Promise<string | undefined> {
    const [row] = await rows<{ userId: string }>(
      tx,
      `SELECT user_id AS "userId" FROM external_identities WHERE issuer = $1 AND subject = $2`,
      [issuer, subject],
    );

    return row?.userId;
  }

  /** Links the subject to the user; the existing link when a concurrent first use won. */
  async link(tx: Tx, issuer: string, subject: string, userId: string): Promise<string> {
    const [row] = await rows<{ userId: string }>(
      tx,
      `INSERT INTO external_identities (issuer, subject, user_id) VALUES ($1, $2, $3)
       ON CONFLICT (issuer, subject) DO UPDATE SET issuer = excluded.issuer
       RETURNING user_id AS "userId"`,
      [issuer, subject, userId],
    );

    return row!.userId;
  }
}
