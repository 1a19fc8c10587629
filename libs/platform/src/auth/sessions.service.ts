import { Injectable } from '@nestjs/common';
import { AuditLog } from '../audit/audit-log';
import { Database } from '../database/database';
import { AUTH_AUDIT } from './auth.audit';
import { ForbiddenError, SessionNotFoundError } from './auth.errors';
import type { Principal } from './principal';
import { RefreshTokenRepository } from './refresh-token.repository';
import { RevokedSessions } from './revoked-sessions';
import { SessionRepository, type SessionRow } from './session.repository';
import { UserRepository } from './user.repository';

export interface AuthSession extends SessionRow {
  current: boolean;
}

/** A user's own sessions (devices): listed, and ended one at a time. */
@Injectable()
export class SessionsService {
  constructor(
    private readonly db: Database,
    private readonly sessions: SessionRepository,
    private readonly users: UserRepository,
    private readonly refreshTokens: RefreshTokenRepository,
    private readonly revoked: RevokedSessions,
    private readonly audit: AuditLog,
  ) {}

  async list(principal: Principal | undefined): Promise<AuthSession[]> {
    const caller = userOf(principal);
    const live = await this.sessions.live(this.db.manager, caller.userId);

    return live.map((session) => ({ ...session, current: session.id === caller.sessionId }));
  }

  /**
   * Ends one of the caller's sessions: its refresh tokens and access tokens stop working, and its
   * sockets close. Held under the user's row like a logout, so a refresh in flight is covered.
   */
  async revoke(principal: Principal | undefined, id: string): Promise<void> {
    const caller = userOf(principal);
    const ended = await this.db.transaction(undefined, async (tx) => {
      await this.users.lock(tx, caller.userId, 'update');
      if (!(await this.sessions.belongsTo(tx, id, caller.userId))) {
        throw new SessionNotFoundError();
      }
      const ended = await this.refreshTokens.revokeFamily(tx, id);
      await this.audit.record(tx, { actor: caller }, AUTH_AUDIT.event('session.revoke', id));

      return ended;
    });
    this.revoked.add(ended);
  }
}

function userOf(principal: Principal | undefined): Principal & { kind: 'user' } {
  if (principal?.kind !== 'user') {
    throw new ForbiddenError('Only users have sessions');
  }

  return principal;
}
