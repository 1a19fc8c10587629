import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import {
  createRemoteJWKSet,
  decodeJwt,
  errors as joseErrors,
  jwtVerify,
  type JWTPayload,
} from 'jose';
import { AuditLog } from '../audit/audit-log';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import type { OidcProvider } from '../config/config.vars';
import { Database, rows, type Tx } from '../database/database';
import { newId } from '../database/ids';
import { AUTH_AUDIT } from './auth.audit';
import {
  AccountDisabledError,
  ExternalEmailTakenError,
  IdentityProviderUnavailableError,
  InvalidTokenError,
  TokenExpiredError,
} from './auth.errors';
import { ExternalIdentityRepository } from './external-identity.repository';
import { NO_PASSWORD } from './password';
import type { Principal } from './principal';
import { isRole, type Role } from './roles';
import { normalizeEmail, UserRepository, type User } from './user.repository';
import { VerifiedTokens } from './verified-tokens';

/** The asymmetric algorithms the providers sign with; never HS256 (the JWKS is public). */
const ALGORITHMS = ['RS256', 'ES256', 'PS256', 'EdDSA'];
/** `amr` values that mean the provider checked a second factor (RFC 8176). */
const SECOND_FACTOR_AMR = ['mfa', 'otp', 'hwk', 'swk', 'sms'];

interface Provider {
  config: OidcProvider;
  keys: ReturnType<typeof createRemoteJWKSet>;
}

/**
 * Access tokens of external OpenID Connect providers (Auth0, Clerk, Firebase Auth, Okta),
 * verified with `jose` against each provider's JWKS: a token signed by a key id not in the cached
 * set fetches the set again (at most every AUTH_OIDC_JWKS_COOLDOWN_SECONDS), which picks up
 * rotated keys; AUTH_OIDC_CLOCK_SKEW_SECONDS is tolerated on exp, nbf and iat. The subject maps
 * to a local user, made on its first use.
 */
@Injectable()
export class ExternalTokens {
  private readonly providers = new Map<string, Provider>();
  private readonly verified = new VerifiedTokens<Principal>();

  constructor(
    @Inject(APP_CONFIG) private readonly appConfig: AppConfig,
    private readonly db: Database,
    private readonly users: UserRepository,
    private readonly identities: ExternalIdentityRepository,
    private readonly audit: AuditLog,
  ) {
    const { providers, jwksCooldownSeconds } = appConfig.auth.oidc;
    for (const provider of providers) {
      this.providers.set(provider.issuer, {
        config: provider,
        keys: createRemoteJWKSet(new URL(provider.jwksUrl), {
          cooldownDuration: jwksCooldownSeconds * 1000,
          timeoutDuration: 5000,
        }),
      });
    }
  }

  /** Whether the token names a configured provider as its issuer (ours carry no `iss`). */
  accepts(token: string): boolean {
    if (this.providers.size === 0) {
      return false;
    }
    try {
      const { iss } = decodeJwt(token);

      return typeof iss === 'string' && this.providers.has(iss);
    } catch {
      return false;
    }
  }

  async verify(token: string): Promise<Principal> {
    const cached = this.verified.get(token);
    if (cached) {
      return cached;
    }
    const { iss } = decodeJwt(token);
    const provider = this.providers.get(iss!)!;
    const payload = await this.verifySignature(token, provider);
    const role = roleOf(payload, provider.config.rolesClaim);
    const user = await this.db.transaction(undefined, (tx) => this.localUser(tx, payload, role));
    if (user.disabledAt) {
      throw new AccountDisabledError();
    }
    const amr = Array.isArray(payload.amr) ? payload.amr : [];
    const secondFactor =
      amr.some((method) => SECOND_FACTOR_AMR.includes(String(method))) &&
      typeof payload.auth_time === 'number';
    const principal: Principal = {
      kind: 'user',
      userId: user.id,
      role,
      sessionId: `external:${payload.iss}`,
      external: {
        issuer: payload.iss!,
        secondFactorAt: secondFactor ? (payload.auth_time as number) * 1000 : undefined,
      },
    };
    this.verified.set(token, principal, payload.exp! * 1000);

    return principal;
  }

  private async verifySignature(token: string, provider: Provider): Promise<JWTPayload> {
    try {
      const { payload } = await jwtVerify(token, provider.keys, {
        issuer: provider.config.issuer,
        audience: provider.config.audience,
        algorithms: ALGORITHMS,
        clockTolerance: this.appConfig.auth.oidc.clockSkewSeconds,
        requiredClaims: ['sub', 'exp'],
      });

      return payload;
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) {
        throw new TokenExpiredError();
      }
      if (error instanceof joseErrors.JWKSNoMatchingKey) {
        throw new InvalidTokenError('The token is signed by a key the provider does not publish');
      }
      // The key set could not be had: a timeout, a network failure (fetch's TypeError, not a
      // JOSE error), an answer that is not a key set or not 200 OK. The token may be good.
      if (
        error instanceof joseErrors.JWKSTimeout ||
        error instanceof joseErrors.JWKSInvalid ||
        !(error instanceof joseErrors.JOSEError) ||
        /^Expected 200 OK/.test(error.message)
      ) {
        throw new IdentityProviderUnavailableError();
      }
      throw new InvalidTokenError(
        error instanceof joseErrors.JWTClaimValidationFailed
          ? `Invalid external token: ${error.claim} ${error.reason}`
          : 'Invalid external token',
      );
    }
  }

  /**
   * The user the subject is mapped to, made on first use: with the token's e-mail (verified when
   * the provider says `email_verified`), or linked to the local account of that e-mail when the
   * provider verified it. Serialized per subject, so two first requests make one user.
   */
  private async localUser(tx: Tx, payload: JWTPayload, role: Role): Promise<User> {
    const issuer = payload.iss!;
    const subject = payload.sub!;
    await rows(tx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
      `external:${issuer}:${subject}`,
    ]);
    const emailVerified = payload.email_verified === true;
    const linked = await this.identities.userOf(tx, issuer, subject);
    if (linked) {
      await this.users.setRole(tx, linked, role);
      const user = emailVerified
        ? await this.users.markEmailVerified(tx, linked)
        : await this.users.findById(tx, linked);

      return user!;
    }
    const email =
      typeof payload.email === 'string' && payload.email.includes('@')
        ? normalizeEmail(payload.email)
        : `${createHash('sha256').update(`${issuer} ${subject}`).digest('hex').slice(0, 32)}@external.invalid`;
    let user = await this.users.insert(tx, {
      id: newId(),
      email,
      passwordHash: NO_PASSWORD,
      role,
      emailVerified,
    });
    if (!user) {
      const existing = await this.users.findByEmail(tx, email);
      if (!emailVerified || !existing) {
        throw new ExternalEmailTakenError();
      }
      const { passwordHash: _, ...found } = existing;
      user = found;
    }
    await this.identities.link(tx, issuer, subject, user.id);
    await this.audit.record(
      tx,
      {
        actor: { kind: 'user', userId: user.id, role, sessionId: `external:${issuer}` },
      },
      AUTH_AUDIT.event('user.external_link', user.id, { issuer, subject }),
    );

    return user;
  }
}

/** The first value of the configured claim that is a declared role; `user` otherwise. */
function roleOf(payload: JWTPayload, claim: string | undefined): Role {
  const value = claim ? payload[claim] : undefined;
  const candidates = Array.isArray(value) ? value : [value];

  return (candidates.find((item) => typeof item === 'string' && isRole(item)) as Role) ?? 'user';
}
