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
  /** Null until the user follows the link e-mailed at sign-up (or a provider vouches for it). */
  emailVerifiedAt: Date | null;
  /** A TOTP second factor is on: sign-in and @RequireStepUp() routes ask for a code. */
  twoFactorEnabled: boolean;
}

/** The TOTP state of a user: `secret` (sealed) is set, not yet enabled, while enrolling. */
export interface TwoFactorState {
  email: string;
  sealedSecret: Buffer | null;
  enabledAt: Date | null;
  lastStep: string | null;
}

export interface UserWithPassword extends User {
  passwordHash: string;
}

/** Emails are compared trimmed and lowercased (the unique index holds them so). */
export const normalizeEmail = (email: string): string => email.trim().toLowerCase();

const COLUMNS = `id, email, role, created_at AS "createdAt", disabled_at AS "disabledAt",
  email_verified_at AS "emailVerifiedAt", totp_enabled_at IS NOT NULL AS "twoFactorEnabled"`;

@Injectable()
export class UserRepository {
  /** Undefined when the email is taken (the unique index decides, so concurrent sign-ups are safe). */
  async insert(
    tx: Tx,
    user: { id: string; email: string; passwordHash: string; role: Role; emailVerified?: boolean },
  ): Promise<User | undefined> {
    const [row] = await rows<User>(
      tx,
      `INSERT INTO users (id, email, password_hash, role, email_verified_at)
       VALUES ($1, $2, $3, $4, CASE WHEN $5 THEN now() END)
       ON CONFLICT (email) DO NOTHING
       RETURNING ${COLUMNS}`,
      [user.id, user.email, user.passwordHash, user.role, user.emailVerified ?? false],
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

  /** Marks the e-mail verified (keeping the first time); undefined when unknown. */
  async markEmailVerified(tx: Tx, id: string): Promise<User | undefined> {
    const [row] = await rows<User>(
      tx,
      `UPDATE users SET email_verified_at = coalesce(email_verified_at, now())
        WHERE id = $1
       RETURNING ${COLUMNS}`,
      [id],
    );

    return row;
  }

  async setRole(tx: Tx, id: string, role: Role): Promise<void> {
    await rows(tx, `UPDATE users SET role = $2 WHERE id = $1 AND role <> $2`, [id, role]);
  }

  async twoFactorOf(tx: Tx, id: string, lock = false): Promise<TwoFactorState | undefined> {
    const [row] = await rows<TwoFactorState>(
      tx,
      `SELECT email, totp_secret AS "sealedSecret", totp_enabled_at AS "enabledAt",
              totp_last_step AS "lastStep"
         FROM users WHERE id = $1 ${lock ? 'FOR UPDATE' : ''}`,
      [id],
    );

    return row;
  }

  /** Starts (or restarts) an enrolment: a new secret, not enabled until a code confirms it. */
  async setPendingTotp(tx: Tx, id: string, sealedSecret: Buffer): Promise<void> {
    await rows(
      tx,
      `UPDATE users SET totp_secret = $2, totp_enabled_at = NULL, totp_last_step = NULL
        WHERE id = $1`,
      [id, sealedSecret],
    );
  }

  async enableTotp(tx: Tx, id: string, step: number): Promise<void> {
    await rows(tx, `UPDATE users SET totp_enabled_at = now(), totp_last_step = $2 WHERE id = $1`, [
      id,
      step,
    ]);
  }

  async clearTotp(tx: Tx, id: string): Promise<void> {
    await rows(
      tx,
      `UPDATE users SET totp_secret = NULL, totp_enabled_at = NULL, totp_last_step = NULL
        WHERE id = $1`,
      [id],
    );
  }

  /**
   * Spends a TOTP time step: true once per step and user. Two requests with the same code race
   * on the row: the second re-reads `totp_last_step` after the first commits and matches nothing.
   */
  async spendTotpStep(tx: Tx, id: string, step: number): Promise<boolean> {
    const spent = await rows(
      tx,
      `UPDATE users SET totp_last_step = $2
        WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2)
       RETURNING id`,
      [id, step],
    );

    return spent.length === 1;
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
