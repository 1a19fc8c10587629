import { Injectable } from '@nestjs/common';
import { rows, type Tx } from '../database/database';

/** Where a request came from, kept with the session it opens or refreshes. */
export interface ClientInfo {
  ip?: string;
  userAgent?: string;
}

export interface SessionRow {
  id: string;
  createdAt: Date;
  lastUsedAt: Date;
  ip: string | null;
  userAgent: string | null;
}

/** One row per session (the refresh-token family, whose id it shares). */
@Injectable()
export class SessionRepository {
  async open(
    tx: Tx,
    session: { id: string; userId: string; client?: ClientInfo; steppedUp: boolean },
  ): Promise<void> {
    await rows(
      tx,
      `INSERT INTO auth_sessions (id, user_id, ip, user_agent, stepped_up_at)
       VALUES ($1, $2, $3, $4, CASE WHEN $5 THEN now() END)`,
      [
        session.id,
        session.userId,
        session.client?.ip ?? null,
        session.client?.userAgent?.slice(0, 500) ?? null,
        session.steppedUp,
      ],
    );
  }

  /** A refresh: the session was used now, from this client. */
  async touch(tx: Tx, id: string, client?: ClientInfo): Promise<void> {
    await rows(
      tx,
      `UPDATE auth_sessions
          SET last_used_at = now(), ip = coalesce($2, ip), user_agent = coalesce($3, user_agent)
        WHERE id = $1`,
      [id, client?.ip ?? null, client?.userAgent?.slice(0, 500) ?? null],
    );
  }

  async markSteppedUp(tx: Tx, id: string): Promise<void> {
    await rows(tx, `UPDATE auth_sessions SET stepped_up_at = now() WHERE id = $1`, [id]);
  }

  /** The user's sessions that still hold a live refresh token, newest first. */
  live(tx: Tx, userId: string): Promise<SessionRow[]> {
    return rows<SessionRow>(
      tx,
      `SELECT s.id, s.created_at AS "createdAt", s.last_used_at AS "lastUsedAt", s.ip,
              s.user_agent AS "userAgent"
         FROM auth_sessions s
        WHERE s.user_id = $1
          AND EXISTS (SELECT 1 FROM refresh_tokens t
                       WHERE t.family_id = s.id AND t.used_at IS NULL
                         AND t.revoked_at IS NULL AND t.expires_at > now())
        ORDER BY s.created_at DESC`,
      [userId],
    );
  }

  async belongsTo(tx: Tx, id: string, userId: string): Promise<boolean> {
    const found = await rows(tx, `SELECT 1 FROM auth_sessions WHERE id = $1 AND user_id = $2`, [
      id,
      userId,
    ]);

    return found.length === 1;
  }
}
