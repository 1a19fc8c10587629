import { Inject, Injectable } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { AuditLog } from '../audit/audit-log';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { Database, type Tx } from '../database/database';
import { AUTH_AUDIT } from './auth.audit';
import {
  ForbiddenError,
  InvalidSecondFactorError,
  InvalidTokenError,
  TwoFactorStateError,
} from './auth.errors';
import { AuthService, type Session } from './auth.service';
import { IdentityKeys } from './identity-keys';
import { LoginAttempts } from './login-attempts';
import type { Principal } from './principal';
import { RecoveryCodeRepository } from './recovery-code.repository';
import { SessionRepository, type ClientInfo } from './session.repository';
import { base32Encode, matchTotp, newTotpSecret, otpauthUri } from './totp';
import { UserRepository, type TwoFactorState } from './user.repository';

const RECOVERY_CODES = 10;
const ISSUER = 'Bourse';

/** A TOTP code, or a recovery code (either; the DTO asks for one). */
export interface SecondFactorProof {
  code?: string;
  recoveryCode?: string;
}

type LocalUser = Principal & { kind: 'user' };

/** `xxxxx-xxxxx` from 50 random bits; compared without case, spaces or dashes. */
const newRecoveryCode = (): string => {
  const text = base32Encode(randomBytes(7)).slice(0, 10).toLowerCase();

  return `${text.slice(0, 5)}-${text.slice(5)}`;
};
const hashRecoveryCode = (code: string): Buffer =>
  createHash('sha256').update(code.replace(/[\s-]/g, '').toLowerCase()).digest();

/**
 * Two-factor authentication with TOTP (RFC 6238): enrolment (an otpauth URI, confirmed by a
 * first code), recovery codes (shown once, stored hashed), the second step of a sign-in and
 * step-ups. A code is good once (its time step is spent); wrong codes count against the same
 * per-account limit as wrong passwords (AUTH_MAX_FAILED_LOGINS).
 */
@Injectable()
export class TwoFactorService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly db: Database,
    private readonly users: UserRepository,
    private readonly recoveryCodes: RecoveryCodeRepository,
    private readonly sessions: SessionRepository,
    private readonly keys: IdentityKeys,
    private readonly attempts: LoginAttempts,
    private readonly auth: AuthService,
    private readonly audit: AuditLog,
  ) {}

  /** A new secret, pending until `confirm`; starting again replaces a pending one. */
  async enrol(principal: Principal | undefined): Promise<{ secret: string; otpauthUri: string }> {
    const caller = localUser(principal);

    return this.db.transaction(undefined, async (tx) => {
      const state = await this.users.twoFactorOf(tx, caller.userId, true);
      if (!state) {
        throw new InvalidTokenError('The user no longer exists');
      }
      if (state.enabledAt) {
        throw new TwoFactorStateError('Two-factor is already on; turn it off first');
      }
      const secret = newTotpSecret();
      await this.users.setPendingTotp(tx, caller.userId, this.keys.sealTotp(secret));

      return { secret: base32Encode(secret), otpauthUri: otpauthUri(secret, state.email, ISSUER) };
    });
  }

  /** Turns two-factor on with a first code; answers the recovery codes, this once. */
  async confirm(principal: Principal | undefined, code: string): Promise<string[]> {
    const caller = localUser(principal);
    const codes = Array.from({ length: RECOVERY_CODES }, newRecoveryCode);

    return this.withAttempts(caller.userId, (tx, state) => {
      if (!state.sealedSecret || state.enabledAt) {
        throw new TwoFactorStateError(
          state.enabledAt ? 'Two-factor is already on' : 'Start an enrolment first',
        );
      }
      const step = matchTotp(this.keys.openTotp(state.sealedSecret), code, Date.now());
      if (step === undefined) {
        return undefined;
      }

      return (async () => {
        await this.users.enableTotp(tx, caller.userId, step);
        await this.recoveryCodes.replace(tx, caller.userId, codes.map(hashRecoveryCode));
        await this.sessions.markSteppedUp(tx, caller.sessionId);
        await this.audit.record(
          tx,
          { actor: caller },
          AUTH_AUDIT.event('user.two_factor_enable', caller.userId),
        );

        return codes;
      })();
    });
  }

  /** Turns two-factor off, with a code (or a recovery code) as proof. */
  async disable(principal: Principal | undefined, proof: SecondFactorProof): Promise<void> {
    const caller = localUser(principal);
    await this.withProof(caller, proof, async (tx) => {
      await this.users.clearTotp(tx, caller.userId);
      await this.recoveryCodes.removeAll(tx, caller.userId);
      await this.audit.record(
        tx,
        { actor: caller },
        AUTH_AUDIT.event('user.two_factor_disable', caller.userId),
      );
    });
  }

  /** Proves the second factor for this session: @RequireStepUp() routes pass for a while. */
  async stepUp(principal: Principal | undefined, proof: SecondFactorProof): Promise<Date> {
    const caller = localUser(principal);
    await this.withProof(caller, proof, async (tx) => {
      await this.sessions.markSteppedUp(tx, caller.sessionId);
      await this.audit.record(
        tx,
        { actor: caller },
        AUTH_AUDIT.event('user.step_up', caller.userId),
      );
    });

    return new Date(Date.now() + this.config.auth.stepUp.maxAgeSeconds * 1000);
  }

  /** The second step of a sign-in: the challenge and a code give a session, stepped up. */
  async completeSignIn(
    input: SecondFactorProof & { challengeToken: string },
    client?: ClientInfo,
  ): Promise<Session> {
    const user = await this.auth.challengedUser(input.challengeToken);
    const caller: LocalUser = { kind: 'user', userId: user.id, role: user.role, sessionId: '' };
    await this.withProof(caller, input, (tx) =>
      this.audit.record(
        tx,
        { actor: caller },
        AUTH_AUDIT.event('user.second_factor_sign_in', user.id),
      ),
    );

    return this.auth.startSession(user, { client, steppedUp: true });
  }

  /** Runs `then` in the transaction that spends the proof; 401 for a wrong or used one. */
  private withProof(
    caller: LocalUser,
    proof: SecondFactorProof,
    then: (tx: Tx) => Promise<void>,
  ): Promise<true> {
    return this.withAttempts(caller.userId, async (tx, state) => {
      if (!state.enabledAt || !state.sealedSecret) {
        throw new TwoFactorStateError('Two-factor is off for this account');
      }
      if (proof.code !== undefined) {
        const step = matchTotp(this.keys.openTotp(state.sealedSecret), proof.code, Date.now());
        if (step === undefined || !(await this.users.spendTotpStep(tx, caller.userId, step))) {
          return undefined;
        }
      } else {
        const hash = hashRecoveryCode(proof.recoveryCode ?? '');
        if (!(await this.recoveryCodes.spend(tx, caller.userId, hash))) {
          return undefined;
        }
        await this.audit.record(
          tx,
          { actor: caller },
          AUTH_AUDIT.event('user.recovery_code_use', caller.userId, {
            remaining: await this.recoveryCodes.remaining(tx, caller.userId),
          }),
        );
      }
      await then(tx);

      return true as const;
    });
  }

  /**
   * Locks the user's two-factor state and runs `check`, which answers undefined for a wrong
   * code: that counts as a failed attempt (429 once the account's limit is reached) and is 401.
   */
  private async withAttempts<T>(
    userId: string,
    check: (tx: Tx, state: TwoFactorState) => T | undefined | Promise<T | undefined>,
  ): Promise<T> {
    const email = (await this.users.findById(this.db.manager, userId))?.email;
    if (!email) {
      throw new InvalidTokenError('The user no longer exists');
    }
    const failures = await this.attempts.check(email);
    const outcome = await this.db.transaction(undefined, async (tx) => {
      const state = (await this.users.twoFactorOf(tx, userId, true))!;

      return check(tx, state);
    });
    if (outcome === undefined) {
      await this.attempts.failed(email);
      throw new InvalidSecondFactorError();
    }
    if (failures > 0) {
      await this.attempts.succeeded(email);
    }

    return outcome;
  }
}

function localUser(principal: Principal | undefined): LocalUser {
  if (principal?.kind !== 'user') {
    throw new ForbiddenError('Only users have a second factor');
  }
  if (principal.external) {
    throw new ForbiddenError(
      'This account signs in at an external provider: its second factor is set up there',
    );
  }

  return principal;
}
