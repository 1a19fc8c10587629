import { Injectable } from '@nestjs/common';
import { rows, type Tx } from '../database/database';
import type { Role } from './principal';

export interface User {
  id: string;
  email: string;
  role: Role;
  createdAt: Date;
  /** Set by an admin: no sign-in, no refresh. */
  disabledAt: Date | null;
}

export interface UserWithPassword extends User {
  passwordHash: string;
}

/** Emails are compared trimmed and lowercased (the unique index holds them so). */
export const normalizeEmail = (email: string): string => email.trim().toLowerCase();

const COLUMNS = `id, email, role, created_at AS "createdAt", disabled_at AS "disabledAt"`;

@Injectable()
export class UserRepository {
  /** Undefined when the email is taken (the unique index decides, so concurrent sign-ups are safe). */
  async insert(
    tx: Tx,
    user: { id: string; email: string; passwordHash: string; role: Role },
  ): Promise<User | undefined> {
    const [row] = await rows<User>(
      tx,
      `INSERT INTO users (id, email, password_hash, role)
       VALUES ($1, $2, $3, $4)
       ON CONFLICT (email) DO NOTHING
       RETURNING ${COLUMNS}`,
      [user.id, user.email, user.passwordHash, user.role],
    );

    return row;
  }

  async findById(tx: Tx, id: string): Promise<User | undefined> {
    const [row] = await rows<User>(tx, `SELECT ${COLUMNS} FROM users WHERE id = $1`, [id]);

    return row;
  }

  findWithPassword(tx: Tx, id: string): Promise<UserWithPassword | undefined> {
    return this.withPassword(tx, 'id', id);
  }

  /**
   * Reads the user and holds their row: `share` while a refresh issues a token, exclusively while
   * the password changes. So a password change waits for refreshes in flight and then revokes
   * the tokens they issued, and refreshes that come after it find their session revoked.
   */
  lock(tx: Tx, id: string, mode: 'share' | 'update'): Promise<UserWithPassword | undefined> {
    return this.withPassword(tx, 'id', id, mode === 'share' ? 'FOR SHARE' : 'FOR UPDATE');
  }

  /** Disables (keeping the first time) or re-enables the user; undefined when unknown. */
  async setDisabled(tx: Tx, id: string, disabled: boolean): Promise<User | undefined> {
    const [row] = await rows<User>(
      tx,
      `UPDATE users SET disabled_at = CASE WHEN $2 THEN coalesce(disabled_at, now()) END
        WHERE id = $1
       RETURNING ${COLUMNS}`,
      [id, disabled],
    );

    return row;
  }

  async setPassword(tx: Tx, id: string, passwordHash: string): Promise<void> {
    await rows(tx, `UPDATE users SET password_hash = $2 WHERE id = $1`, [id, passwordHash]);
  }

  findByEmail(tx: Tx, email: string): Promise<UserWithPassword | undefined> {
    return this.withPassword(tx, 'email', email);
  }

  private async withPassword(
    tx: Tx,
    column: 'id' | 'email',
    value: string,
    lock = '',
  ): Promise<UserWithPassword | undefined> {
    const [row] = await rows<UserWithPassword>(
      tx,
      `SELECT ${COLUMNS}, password_hash AS "passwordHash" FROM users WHERE ${column} = $1 ${lock}`,
      [value],
    );

    return row;
  }
}
