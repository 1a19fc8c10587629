import { Injectable } from '@nestjs/common';
import { AuditLog } from '../audit/audit-log';
import { Database } from '../database/database';
import { AUTH_AUDIT } from './auth.audit';
import {
  EmailAlreadyVerifiedError,
  ForbiddenError,
  InvalidTokenError,
  ResendTooSoonError,
} from './auth.errors';
import { EmailTokens } from './email-tokens';
import type { Principal } from './principal';
import { UserRepository, type User } from './user.repository';

/** The link e-mailed at sign-up: proves the user reads the address they gave. */
@Injectable()
export class EmailVerificationService {
  constructor(
    private readonly db: Database,
    private readonly users: UserRepository,
    private readonly emailTokens: EmailTokens,
    private readonly audit: AuditLog,
  ) {}

  /** A new link (the earlier ones stop working), at most one per AUTH_EMAIL_RESEND_SECONDS. */
  async resend(principal: Principal | undefined): Promise<void> {
    if (principal?.kind !== 'user') {
      throw new ForbiddenError('Only users have an e-mail address');
    }
    await this.db.transaction(undefined, async (tx) => {
      const user = await this.users.lock(tx, principal.userId, 'update');
      if (!user) {
        throw new InvalidTokenError('The user no longer exists');
      }
      if (user.emailVerifiedAt) {
        throw new EmailAlreadyVerifiedError();
      }
      const wait = await this.emailTokens.waitBeforeNext(tx, user.email, 'verify_email');
      if (wait > 0) {
        throw new ResendTooSoonError(wait);
      }
      await this.emailTokens.spendAllOf(tx, user.id, 'verify_email');
      await this.emailTokens.send(tx, {
        purpose: 'verify_email',
        userId: user.id,
        email: user.email,
      });
    });
  }

  /** Spends the link's token and marks the address verified; the answer is the user. */
  verify(token: string): Promise<User> {
    return this.db.transaction(undefined, async (tx) => {
      const row = await this.emailTokens.redeem(tx, token, 'verify_email');
      const user = (await this.users.markEmailVerified(tx, row.userId!))!;
      await this.audit.record(
        tx,
        { actor: { kind: 'user', userId: user.id, role: user.role, sessionId: row.id } },
        AUTH_AUDIT.event('user.email_verify', user.id),
      );

      return user;
    });
  }
}
