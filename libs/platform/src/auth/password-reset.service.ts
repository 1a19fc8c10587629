import { Injectable } from '@nestjs/common';
import { AuditLog } from '../audit/audit-log';
import { Database } from '../database/database';
import { AUTH_AUDIT } from './auth.audit';
import { AccountDisabledError } from './auth.errors';
import { EmailTokens } from './email-tokens';
import { LoginAttempts } from './login-attempts';
import { hashPassword, NO_PASSWORD } from './password';
import { RefreshTokenRepository } from './refresh-token.repository';
import { RevokedSessions } from './revoked-sessions';
import { normalizeEmail, UserRepository } from './user.repository';

/** A way back in after a forgotten password, through the e-mail address. */
@Injectable()
export class PasswordResetService {
  constructor(
    private readonly db: Database,
    private readonly users: UserRepository,
    private readonly refreshTokens: RefreshTokenRepository,
    private readonly revoked: RevokedSessions,
    private readonly emailTokens: EmailTokens,
    private readonly attempts: LoginAttempts,
    private readonly audit: AuditLog,
  ) {}

  /**
   * Answers the same, and does the same work, whether or not an account uses the address: the
   * same statements run (a token row and an outbox job), and the e-mail is the reset link or a
   * notice that no account with a password uses the address (none, or one that signs in at an
   * external provider). At most one e-mail per address per
   * AUTH_EMAIL_RESEND_SECONDS; requests within it are answered alike and send nothing.
   */
  async request(input: { email: string }): Promise<void> {
    const email = normalizeEmail(input.email);
    await this.db.transaction(undefined, async (tx) => {
      if ((await this.emailTokens.waitBeforeNext(tx, email, 'reset_password')) > 0) {
        return;
      }
      const user = await this.users.findByEmail(tx, email);
      // An account of an external provider signs in there: a reset would give it a second way in.
      const resettable = user && user.passwordHash !== NO_PASSWORD ? user.id : null;
      await this.emailTokens.send(tx, { purpose: 'reset_password', userId: resettable, email });
    });
  }

  /**
   * Spends the link's token and sets the password; every session ends (their access tokens
   * too) and the other reset links stop working. Following the link proved the address, so it
   * counts as verified. Two-factor stays on: the next sign-in asks for it.
   */
  async reset(input: { token: string; newPassword: string }): Promise<void> {
    const passwordHash = await hashPassword(input.newPassword);
    const { ended, email } = await this.db.transaction(undefined, async (tx) => {
      const row = await this.emailTokens.redeem(tx, input.token, 'reset_password');
      const user = (await this.users.lock(tx, row.userId!, 'update'))!;
      if (user.disabledAt) {
        throw new AccountDisabledError();
      }
      await this.users.setPassword(tx, user.id, passwordHash);
      await this.users.markEmailVerified(tx, user.id);
      await this.emailTokens.spendAllOf(tx, user.id, 'reset_password');
      const ended = await this.refreshTokens.revokeAllOf(tx, user.id);
      await this.audit.record(
        tx,
        { actor: { kind: 'user', userId: user.id, role: user.role, sessionId: row.id } },
        AUTH_AUDIT.event('user.password_reset', user.id, { sessionsEnded: ended.length }),
      );

      return { ended, email: user.email };
    });
    this.revoked.add(ended);
    await this.attempts.succeeded(email);
  }
}
