import { Injectable } from '@nestjs/common';
import { AuditLog, type AuditContext } from '../audit/audit-log';
import { Database } from '../database/database';
import { AUTH_AUDIT } from './auth.audit';
import { ForbiddenError, UserNotFoundError } from './auth.errors';
import { RefreshTokenRepository } from './refresh-token.repository';
import { RevokedSessions } from './revoked-sessions';
import { normalizeEmail, UserRepository, type User } from './user.repository';

/** What admins do to users: find one for support, disable or re-enable them. */
@Injectable()
export class UserAdminService {
  constructor(
    private readonly db: Database,
    private readonly users: UserRepository,
    private readonly refreshTokens: RefreshTokenRepository,
    private readonly revoked: RevokedSessions,
    private readonly audit: AuditLog,
  ) {}

  async findByEmail(email: string): Promise<User> {
    const found = await this.users.findByEmail(this.db.manager, normalizeEmail(email));
    if (!found) {
      throw new UserNotFoundError();
    }
    const { passwordHash: _, ...user } = found;

    return user;
  }

  /**
   * No more sign-ins or refreshes, and every session ends now (its access tokens too), under the
   * user's row lock like a password change.
   */
  async disable(id: string, context: AuditContext): Promise<User> {
    if (context.actor?.kind === 'user' && context.actor.userId === id) {
      throw new ForbiddenError('An admin cannot disable their own account');
    }

    const { user, ended } = await this.db.transaction(undefined, async (tx) => {
      // The UPDATE holds the user's row, as a password change does, while the sessions go.
      const disabled = await this.users.setDisabled(tx, id, true);
      if (!disabled) {
        throw new UserNotFoundError();
      }

      const ended = await this.refreshTokens.revokeAllOf(tx, id);
      await this.audit.record(tx, context, AUTH_AUDIT.event('user.disable', id));

      return { user: disabled, ended };
    });
    this.revoked.add(ended, id);

    return user;
  }

  enable(id: string, context: AuditContext): Promise<User> {
    return this.db.transaction(undefined, async (tx) => {
      const user = await this.users.setDisabled(tx, id, false);
      if (!user) {
        throw new UserNotFoundError();
      }
      await this.audit.record(tx, context, AUTH_AUDIT.event('user.enable', id));

      return user;
    });
  }
}
