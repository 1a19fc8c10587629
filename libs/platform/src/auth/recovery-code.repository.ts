import { Injectable } from '@nestjs/common';
import { rows, type Tx } from '../database/database';
import { newId } from '../database/ids';

@Injectable()
export class RecoveryCodeRepository {
  /** Replaces the user's codes with these (hashes). */
  async replace(tx: Tx, userId: string, hashes: Buffer[]): Promise<void> {
    await rows(tx, `DELETE FROM recovery_codes WHERE user_id = $1`, [userId]);
    await rows(
      tx,
      `INSERT INTO recovery_codes (id, user_id, code_hash)
       SELECT unnest($2::uuid[]), $1, unnest($3::bytea[])`,
      [userId, hashes.map(() => newId()), hashes],
    );
  }

  /** Spends an unused code: true once per code. */
  async spend(tx: Tx, userId: string, hash: Buffer): Promise<boolean> {
    const spent = await rows(
      tx,
      `UPDATE recovery_codes SET used_at = now()
        WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL
       RETURNING id`,
      [userId, hash],
    );

    return spent.length === 1;
  }

  async remaining(tx: Tx, userId: string): Promise<number> {
    const [row] = await rows<{ count: number }>(
      tx,
      `SELECT count(*)::int AS count FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL`,
      [userId],
    );

    return row?.count ?? 0;
  }

  async removeAll(tx: Tx, userId: string): Promise<void> {
    await rows(tx, `DELETE FROM recovery_codes WHERE user_id = $1`, [userId]);
  }
}
