import { Injectable } from '@nestjs/common';
import { rows, type Tx } from '../database/database';
import type { Role } from './principal';

export interface User {
  id: string;
  email: string;
  role: Role;
  createdAt: Date;
}

export interface UserWithPassword extends User {
  passwordHash: string;
}

const COLUMNS = `id, email, role, created_at AS "createdAt"`;

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

  async findByEmail(tx: Tx, email: string): Promise<UserWithPassword | undefined> {
    const [row] = await rows<UserWithPassword>(
      tx,
      `SELECT ${COLUMNS}, password_hash AS "passwordHash" FROM users WHERE email = $1`,
      [email],
    );

    return row;
  }
}
