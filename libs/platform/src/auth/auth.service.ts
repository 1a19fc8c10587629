import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { Database, type Tx } from '../database/database';
import { newId } from '../database/ids';
import { ApiKeyService } from './api-key.service';
import {
  AccountDisabledError,
  EmailTakenError,
  ForbiddenError,
  InvalidCredentialsError,
  InvalidTokenError,
  RefreshTokenReusedError,
  SecondFactorRequiredError,
  TokenExpiredError,
  WrongPasswordError,
} from './auth.errors';
import { EmailTokens } from './email-tokens';
import { ExternalTokens } from './external-tokens';
import { IdentityKeys } from './identity-keys';
import { LoginAttempts } from './login-attempts';
import { formatToken, hashSecret, newSecret, parseToken, secretMatches } from './opaque-token';
import { dummyPasswordHash, hashPassword, verifyPassword } from './password';
import { ROLE_VALUES, type Principal, type Role } from './principal';
import { RefreshTokenRepository } from './refresh-token.repository';
import { RevokedSessions } from './revoked-sessions';
import { SessionRepository, type ClientInfo } from './session.repository';
import { normalizeEmail, UserRepository, type User } from './user.repository';
import { VerifiedTokens } from './verified-tokens';

export interface Credentials {
  email: string;
  password: string;
}

export interface NewUser extends Credentials {
  role: Role;
  /**
   * Made verified, without the e-mailed link: for accounts an operator creates (the seed) and
   * the test factories; sign-up always verifies by e-mail.
   */
  emailVerified?: boolean;
}

/** How long a sign-in challenge (password right, second factor pending) stays good. */
const CHALLENGE_TTL_SECONDS = 300;

interface ChallengeClaims {
  sub: string;
  purpose: 'second_factor';
}

export interface Session {
  user: User;
  accessToken: string;
  /** Seconds until the access token expires. */
  expiresIn: number;
  refreshToken: string;
}

interface AccessClaims {
  sub: string;
  role: Role;
  /** The session (refresh-token family): ending it refuses its access tokens too. */
  sid: string;
}

@Injectable()
export class AuthService implements OnModuleInit {
  private readonly verifiedTokens = new VerifiedTokens<AccessClaims>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly db: Database,
    private readonly jwt: JwtService,
    private readonly users: UserRepository,
    private readonly refreshTokens: RefreshTokenRepository,
    private readonly apiKeys: ApiKeyService,
    private readonly attempts: LoginAttempts,
    private readonly revoked: RevokedSessions,
    private readonly sessions: SessionRepository,
    private readonly emailTokens: EmailTokens,
    private readonly keys: IdentityKeys,
    private readonly external: ExternalTokens,
  ) {}

  // Computed at boot so the first login with an unknown email is not slower than the rest.
  async onModuleInit(): Promise<void> {
    await dummyPasswordHash();
  }

  /**
   * Public sign-up: always role `user`, unverified; the verification e-mail is queued in the
   * same transaction. Admins come from createUser (the seed).
   */
  async register(input: Credentials, client?: ClientInfo): Promise<Session> {
    const passwordHash = await hashPassword(input.password);

    return this.db.transaction(undefined, async (tx) => {
      const user = await this.insertUser(tx, { ...input, role: 'user' }, passwordHash);
      await this.emailTokens.send(tx, {
        purpose: 'verify_email',
        userId: user.id,
        email: user.email,
      });

      return this.issue(tx, user, newId(), this.sessionEnd(), { client, steppedUp: false });
    });
  }

  async createUser(input: NewUser, outer?: Tx): Promise<User> {
    const passwordHash = await hashPassword(input.password);

    return this.db.transaction(outer, (tx) => this.insertUser(tx, input, passwordHash));
  }

  private async insertUser(tx: Tx, input: NewUser, passwordHash: string): Promise<User> {
    const user = await this.users.insert(tx, {
      id: newId(),
      email: normalizeEmail(input.email),
      passwordHash,
      role: input.role,
      emailVerified: input.emailVerified,
    });
    if (!user) {
      throw new EmailTakenError();
    }

    return user;
  }

  /** For seeding: creates the user, or returns the existing one unchanged (password and role kept). */
  async ensureUser(input: NewUser, outer?: Tx): Promise<User> {
    try {
      return await this.createUser(input, outer);
    } catch (error) {
      if (!(error instanceof EmailTakenError)) {
        throw error;
      }
      const { passwordHash: _, ...user } = (await this.users.findByEmail(
        outer ?? this.db.manager,
        normalizeEmail(input.email),
      ))!;

      return user;
    }
  }

  /**
   * Checks the password; with two-factor on, answers 403 `auth.second_factor_required` with a
   * challenge for POST /v1/auth/login/second-factor instead of a session.
   */
  async login(input: Credentials, client?: ClientInfo): Promise<Session> {
    const email = normalizeEmail(input.email);
    const failures = await this.attempts.check(email);
    const found = await this.users.findByEmail(this.db.manager, email);
    // An unknown email still pays for one scrypt, so timing does not reveal who has an account.
    const valid = await verifyPassword(
      input.password,
      found?.passwordHash ?? (await dummyPasswordHash()),
    );
    if (!found || !valid) {
      await this.attempts.failed(email);
      throw new InvalidCredentialsError();
    }
    if (failures > 0) {
      await this.attempts.succeeded(email);
    }
    if (found.disabledAt) {
      throw new AccountDisabledError();
    }
    const { passwordHash: _, ...user } = found;
    if (user.twoFactorEnabled) {
      const claims: ChallengeClaims = { sub: user.id, purpose: 'second_factor' };
      throw new SecondFactorRequiredError(
        await this.jwt.signAsync(claims, {
          secret: this.keys.challenge,
          expiresIn: CHALLENGE_TTL_SECONDS,
        }),
      );
    }

    return this.startSession(user, { client, steppedUp: false });
  }

  /** The user a sign-in challenge was issued to; 401 when forged, expired or not one. */
  async challengedUser(challengeToken: string): Promise<User> {
    let claims: Partial<ChallengeClaims>;
    try {
      claims = await this.jwt.verifyAsync<ChallengeClaims>(challengeToken, {
        secret: this.keys.challenge,
      });
    } catch {
      throw new InvalidTokenError('The sign-in challenge is invalid or expired; sign in again');
    }
    const user =
      claims.purpose === 'second_factor' && typeof claims.sub === 'string'
        ? await this.users.findById(this.db.manager, claims.sub)
        : undefined;
    if (!user) {
      throw new InvalidTokenError('The sign-in challenge is invalid or expired; sign in again');
    }
    if (user.disabledAt) {
      throw new AccountDisabledError();
    }

    return user;
  }

  /**
   * Spends a refresh token for a new pair in the same family. A token seen again after it was
   * spent, including the loser of two concurrent refreshes, means it leaked: the family is revoked
   * (that commits) and the caller gets 401.
   */
  async refresh(refreshToken: string, client?: ClientInfo): Promise<Session> {
    const token = parseToken(refreshToken);
    if (!token) {
      throw new InvalidTokenError('Malformed refresh token');
    }
    let ended: string[] = [];
    const outcome = await this.db.transaction(undefined, async (tx) => {
      const row = await this.refreshTokens.findById(tx, token.id);
      if (!row || !secretMatches(token.secret, row.secretHash)) {
        return new InvalidTokenError('Unknown refresh token');
      }
      if (row.usedAt) {
        ended = await this.refreshTokens.revokeFamily(tx, row.familyId);

        return new RefreshTokenReusedError();
      }
      if (row.revokedAt) {
        return new InvalidTokenError('The refresh token has been revoked');
      }
      if (row.expiresAt.getTime() <= Date.now()) {
        return new TokenExpiredError();
      }
      // Before the token row: a password change takes the same two locks in the same order.
      const found = await this.users.lock(tx, row.userId, 'share');
      if (!found || found.disabledAt) {
        return new InvalidTokenError('The user no longer exists or is disabled');
      }
      if (!(await this.refreshTokens.markUsed(tx, row.id))) {
        ended = await this.refreshTokens.revokeFamily(tx, row.familyId);

        return new RefreshTokenReusedError();
      }
      const { passwordHash: _, ...user } = found;

      // The family keeps its first expiry: a session lasts the refresh TTL from sign-in.
      await this.sessions.touch(tx, row.familyId, client);

      return this.issue(tx, user, row.familyId, row.expiresAt);
    });
    this.revoked.add(ended);
    if (outcome instanceof Error) {
      throw outcome;
    }

    return outcome;
  }

  /**
   * Ends the session the refresh token belongs to (already ended sessions are fine), or with
   * `everywhere` every session of its user (a lost device), which takes a live token. Like a
   * password change, it holds the user's row, so a refresh in flight (which holds it shared)
   * commits its new token first and the revocation sees that token too.
   */
  async logout(refreshToken: string, { everywhere = false } = {}): Promise<void> {
    const token = parseToken(refreshToken);
    const row = token ? await this.refreshTokens.findById(this.db.manager, token.id) : undefined;
    if (!token || !row || !secretMatches(token.secret, row.secretHash)) {
      throw new InvalidTokenError('Unknown refresh token');
    }
    if (everywhere && (row.usedAt || row.revokedAt || row.expiresAt.getTime() <= Date.now())) {
      throw new InvalidTokenError('Ending every session takes a live refresh token');
    }
    const ended = await this.db.transaction(undefined, async (tx) => {
      await this.users.lock(tx, row.userId, 'update');

      return everywhere
        ? this.refreshTokens.revokeAllOf(tx, row.userId)
        : this.refreshTokens.revokeFamily(tx, row.familyId);
    });
    this.revoked.add(ended);
  }

  /**
   * Changes the signed-in user's password after checking the current one, ends every session
   * (all refresh tokens, including those issued by refreshes in flight, and their access tokens)
   * and starts a new one.
   */
  async changePassword(
    principal: Principal | undefined,
    input: { currentPassword: string; newPassword: string },
  ): Promise<Session> {
    const userId = this.userIdOf(principal);
    const current = await this.users.findWithPassword(this.db.manager, userId);
    if (!current) {
      throw new InvalidTokenError('The user no longer exists');
    }
    // Guesses here count against the same per-account limit as sign-in guesses.
    await this.attempts.check(current.email);
    // The slow hashes run before the transaction, so the user's row is held only briefly.
    if (!(await verifyPassword(input.currentPassword, current.passwordHash))) {
      await this.attempts.failed(current.email);
      throw new WrongPasswordError();
    }
    const passwordHash = await hashPassword(input.newPassword);

    let ended: string[] = [];
    const session = await this.db.transaction(undefined, async (tx) => {
      const locked = await this.users.lock(tx, userId, 'update');
      // Changed meanwhile by a concurrent change: the password checked above is no longer it.
      if (locked?.passwordHash !== current.passwordHash) {
        throw new WrongPasswordError();
      }
      if (locked.disabledAt) {
        throw new AccountDisabledError();
      }
      await this.users.setPassword(tx, userId, passwordHash);
      ended = await this.refreshTokens.revokeAllOf(tx, userId);
      const { passwordHash: _, ...user } = locked;

      // A fresh proof of the second factor is asked again where a route needs one.
      return this.issue(tx, user, newId(), this.sessionEnd(), { steppedUp: false });
    });
    this.revoked.add(ended);

    return session;
  }

  async me(principal: Principal | undefined): Promise<User> {
    const user = await this.users.findById(this.db.manager, this.userIdOf(principal));
    if (!user) {
      throw new InvalidTokenError('The user no longer exists');
    }

    return user;
  }

  /**
   * The caller named by an Authorization header (`Bearer <jwt>` or `ApiKey <id>.<secret>`);
   * undefined when there is none. Shared by the HTTP guard and the Socket.IO handshake.
   */
  async authenticate(authorization: string | undefined): Promise<Principal | undefined> {
    if (!authorization) {
      return undefined;
    }
    const [, scheme = '', credentials = ''] = /^(\S+)\s+(\S+)$/.exec(authorization.trim()) ?? [];
    switch (scheme.toLowerCase()) {
      case 'bearer':
        return this.external.accepts(credentials)
          ? this.external.verify(credentials)
          : this.verifyAccessToken(credentials);
      case 'apikey':
        return this.apiKeys.authenticate(credentials);
      default:
        throw new InvalidTokenError('Authorization must be `Bearer <token>` or `ApiKey <key>`');
    }
  }

  async verifyAccessToken(token: string): Promise<Principal> {
    const claims = this.verifiedTokens.get(token) ?? (await this.verifyClaims(token));
    if (this.revoked.isRevoked(claims.sid)) {
      throw new InvalidTokenError('The session has ended');
    }

    return { kind: 'user', userId: claims.sub, role: claims.role, sessionId: claims.sid };
  }

  /** Signature, expiry and claims, checked once per token (see VerifiedTokens). */
  private async verifyClaims(token: string): Promise<AccessClaims> {
    let claims: AccessClaims & { exp?: number };
    try {
      claims = await this.jwt.verifyAsync<AccessClaims & { exp?: number }>(token);
    } catch (error) {
      // jsonwebtoken's class, matched by name: it is not our dependency to import.
      throw (error as Error).name === 'TokenExpiredError'
        ? new TokenExpiredError()
        : new InvalidTokenError('Invalid access token');
    }
    if (
      typeof claims.sub !== 'string' ||
      typeof claims.sid !== 'string' ||
      typeof claims.exp !== 'number' ||
      !ROLE_VALUES.includes(claims.role)
    ) {
      throw new InvalidTokenError('Invalid access token');
    }
    this.verifiedTokens.set(token, claims, claims.exp * 1000);

    return claims;
  }

  private userIdOf(principal: Principal | undefined): string {
    if (principal?.kind !== 'user') {
      throw new ForbiddenError('Only users have a profile and a password');
    }

    return principal.userId;
  }

  /** Opens a session; `steppedUp` when the sign-in proved a second factor. */
  startSession(user: User, opened: { client?: ClientInfo; steppedUp: boolean }): Promise<Session> {
    return this.db.transaction(undefined, (tx) =>
      this.issue(tx, user, newId(), this.sessionEnd(), opened),
    );
  }

  /** A new session lasts the refresh TTL from now. */
  private sessionEnd(): Date {
    return new Date(Date.now() + this.config.auth.refreshTtlSeconds * 1000);
  }

  /** A token pair in the family `familyId`; `opened` when the family is new (a sign-in). */
  private async issue(
    tx: Tx,
    user: User,
    familyId: string,
    expiresAt: Date,
    opened?: { client?: ClientInfo; steppedUp: boolean },
  ): Promise<Session> {
    if (opened) {
      await this.sessions.open(tx, { id: familyId, userId: user.id, ...opened });
    }
    const refresh = { id: newId(), secret: newSecret() };
    await this.refreshTokens.insert(tx, {
      id: refresh.id,
      familyId,
      userId: user.id,
      secretHash: hashSecret(refresh.secret),
      expiresAt,
    });
    const claims: AccessClaims = { sub: user.id, role: user.role, sid: familyId };

    return {
      user,
      accessToken: await this.jwt.signAsync(claims),
      expiresIn: this.config.auth.accessTtlSeconds,
      refreshToken: formatToken(refresh),
    };
  }
}
