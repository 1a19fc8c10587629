import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { Database, rows, type Tx } from '../database/database';
import {
  EmailUnverifiedError,
  ForbiddenError,
  StepUpRequiredError,
  TwoFactorRequiredError,
} from './auth.errors';
import type { Principal } from './principal';

interface AccountState {
  emailVerified: boolean;
  twoFactorEnabled: boolean;
  /** Seconds since the session last proved a second factor; null if it never did. */
  secondsSinceStepUp: number | null;
}

/**
 * What a route may ask of a signed-in user beyond their role: a verified e-mail
 * (`@RequireVerifiedEmail()`), a recent second factor (`@RequireStepUp()`). The guard applies
 * both from the decorators; a service whose rule depends on what it reads (a sell, not a buy)
 * calls `require` itself. API keys pass: they are servers, with no e-mail and no second factor,
 * and reach only what their scopes open.
 */
/** Verified users remembered per process; past it the set starts again (a cache, never the truth). */
const MAX_REMEMBERED = 100_000;

@Injectable()
export class AccountChecks {
  /**
   * Users seen verified: nothing un-verifies an address, so the e-mail half of a check is then
   * answered without a query (a busy route asks it on every request).
   */
  private readonly verified = new Set<string>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly db: Database,
  ) {}

  async require(
    principal: Principal | undefined,
    needs: { verifiedEmail?: boolean; stepUp?: boolean },
    tx: Tx = this.db.manager,
  ): Promise<void> {
    if (!needs.verifiedEmail && !needs.stepUp) {
      return;
    }
    if (!principal) {
      throw new ForbiddenError('Sign in first');
    }
    if (principal.kind !== 'user') {
      return;
    }
    if (!needs.stepUp && this.verified.has(principal.userId)) {
      return;
    }
    const state = await this.stateOf(tx, principal);
    if (state.emailVerified) {
      this.rememberVerified(principal.userId);
    } else if (needs.verifiedEmail) {
      throw new EmailUnverifiedError();
    }
    if (needs.stepUp) {
      this.checkStepUp(principal, state);
    }
  }

  private rememberVerified(userId: string): void {
    if (this.verified.size >= MAX_REMEMBERED) {
      this.verified.clear();
    }
    this.verified.add(userId);
  }

  /**
   * Policy `enrolled`: users who turned two-factor on must have proved it within the max age
   * (their sign-in with a code counts); others pass, as there is nothing to ask them. Policy
   * `always`: every user must, so those without it must enrol first. A user of an external
   * provider proves it there: `amr` naming a second factor, with `auth_time` within the max age.
   */
  private checkStepUp(principal: Principal & { kind: 'user' }, state: AccountState): void {
    const { policy, maxAgeSeconds } = this.config.auth.stepUp;
    const external = principal.external;
    if (external) {
      const fresh =
        external.secondFactorAt !== undefined &&
        Date.now() - external.secondFactorAt <= maxAgeSeconds * 1000;
      if (!fresh && (policy === 'always' || state.twoFactorEnabled)) {
        throw new StepUpRequiredError(maxAgeSeconds);
      }

      return;
    }
    if (!state.twoFactorEnabled) {
      if (policy === 'always') {
        throw new TwoFactorRequiredError();
      }

      return;
    }
    if (state.secondsSinceStepUp === null || state.secondsSinceStepUp > maxAgeSeconds) {
      throw new StepUpRequiredError(maxAgeSeconds);
    }
  }

  private async stateOf(tx: Tx, principal: Principal & { kind: 'user' }): Promise<AccountState> {
    const [state] = await rows<AccountState>(
      tx,
      `SELECT u.email_verified_at IS NOT NULL AS "emailVerified",
              u.totp_enabled_at IS NOT NULL AS "twoFactorEnabled",
              (SELECT extract(epoch FROM now() - s.stepped_up_at)::float8
                 FROM auth_sessions s
                WHERE s.id = $2::uuid AND s.user_id = u.id) AS "secondsSinceStepUp"
         FROM users u WHERE u.id = $1`,
      [principal.userId, principal.external ? null : principal.sessionId],
    );
    if (!state) {
      throw new ForbiddenError('The user no longer exists');
    }

    return state;
  }
}
