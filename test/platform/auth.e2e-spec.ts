import { AuthService, Database } from '@bourse/platform';
import { RefreshTokenRepository } from '../../libs/platform/src/auth/refresh-token.repository';
import { RevokedSessions } from '../../libs/platform/src/auth/revoked-sessions';
import { UserRepository } from '../../libs/platform/src/auth/user.repository';
import { randomUUID } from 'node:crypto';
import { JwtService } from '@nestjs/jwt';
import { signedInUser, uniqueEmail } from '../factories/users';
import { startApi, type TestServer } from '../setup/apps';
import { holdOpen, lockWaitSeen } from '../setup/locks';

const PASSWORD = 'correct horse battery';

// Only Date is faked: HTTP, Postgres and Nest keep their real timers.
const TIMERS = ['nextTick', 'setImmediate', 'setTimeout', 'setInterval', 'queueMicrotask'] as const;

/** Moves the app's clock (the server runs in this process) `seconds` ahead. */
function moveClockForward(seconds: number): void {
  const doNotFake = [
    ...TIMERS,
    'clearImmediate',
    'clearTimeout',
    'clearInterval',
    'hrtime',
    'performance',
  ] as const;
  jest.useFakeTimers({ doNotFake: [...doNotFake], now: Date.now() + seconds * 1000 });
}

describe('auth', () => {
  let api: TestServer;

  beforeAll(async () => {
    api = await startApi();
  });
  afterAll(() => api.close());
  afterEach(() => {
    jest.useRealTimers();
  });

  const register = (email: string, password = PASSWORD) =>
    api.request('POST', '/v1/auth/register', { body: { email, password } });
  const login = (email: string, password = PASSWORD) =>
    api.request('POST', '/v1/auth/login', { body: { email, password } });
  const refresh = (refreshToken: string) =>
    api.request('POST', '/v1/auth/refresh', { body: { refreshToken } });
  const me = (token?: string) => api.request('GET', '/v1/me', { token });

  /**
   * A refresh of the session `familyId` between its lock on the user (shared) and its commit,
   * its new token written; commit() lets it finish.
   */
  async function refreshInFlight(userId: string, familyId: string) {
    const issued = randomUUID();
    const commit = await holdOpen(api.app.get(Database), async (tx) => {
      await api.app.get(UserRepository).lock(tx, userId, 'share');
      await api.app.get(RefreshTokenRepository).insert(tx, {
        id: issued,
        familyId,
        userId,
        secretHash: Buffer.alloc(32),
        expiresAt: new Date(Date.now() + 60_000),
      });
    });

    return { issued, commit };
  }

  describe('register', () => {
    it('creates a user (role user, email lowercased) and signs them in', async () => {
      const email = uniqueEmail();
      const res = await register(email.toUpperCase());
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        user: {
          id: expect.any(String),
          email,
          role: 'user',
          createdAt: expect.any(String),
          disabledAt: null,
          emailVerifiedAt: null,
          twoFactorEnabled: false,
        },
        accessToken: expect.any(String),
        expiresIn: 900,
        refreshToken: expect.stringMatching(/^[\w-]{36}\.[\w-]{43}$/),
      });
      expect((await me(res.body.accessToken)).body).toEqual(res.body.user);
    });

    it('answers 400 naming each invalid field', async () => {
      const res = await register('not-an-email', 'short');
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body.code).toBe('validation.failed');
      expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
        'email',
        'password',
      ]);
    });

    it('refuses a field it does not know, such as a role', async () => {
      const res = await api.request('POST', '/v1/auth/register', {
        body: { email: uniqueEmail(), password: PASSWORD, role: 'admin' },
      });
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual([{ field: 'role', messages: expect.any(Array) }]);
    });

    it('answers 409 auth.email_taken for an email already used, whatever its case', async () => {
      const email = uniqueEmail();
      expect((await register(email)).status).toBe(201);
      const res = await register(email.toUpperCase());
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ code: 'auth.email_taken', status: 409 });
    });
  });

  describe('login', () => {
    it('signs in with the right password', async () => {
      const email = uniqueEmail();
      await register(email);
      const res = await login(` ${email.toUpperCase()} `);
      expect(res.status).toBe(200);
      expect((await me(res.body.accessToken)).body.email).toBe(email);
    });

    it('locks an email out after too many failures, whatever the password, unknown ones too', async () => {
      const { maxFailedLogins, lockoutSeconds } = api.config.auth;
      const [victim, bystander] = [uniqueEmail(), uniqueEmail()];
      const unknown = uniqueEmail();
      await register(victim);
      await register(bystander);
      for (let i = 0; i < maxFailedLogins; i++) {
        expect((await login(victim, 'wrong password')).status).toBe(401);
        expect((await login(unknown, 'wrong password')).status).toBe(401);
      }

      const locked = await login(victim);
      const lockedUnknown = await login(unknown, 'wrong password');

      expect(locked.status).toBe(429);
      expect(locked.headers.get('content-type')).toContain('application/problem+json');
      expect(locked.body.code).toBe('auth.too_many_attempts');
      const retryAfter = Number(locked.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(lockoutSeconds);
      expect(locked.body.retryAfter).toBe(retryAfter);
      expect(lockedUnknown.status).toBe(429);
      expect((await login(bystander)).status).toBe(200);
    });

    it('starts the count afresh after a successful sign-in', async () => {
      const email = uniqueEmail();
      await register(email);
      for (let round = 0; round < 2; round++) {
        for (let i = 0; i < api.config.auth.maxFailedLogins - 1; i++) {
          expect((await login(email, 'wrong password')).status).toBe(401);
        }
        expect((await login(email)).status).toBe(200);
      }
    });

    it('answers a wrong password and an unknown email with the same 401', async () => {
      const email = uniqueEmail();
      await register(email);
      const wrong = await login(email, 'not the password at all');
      const unknown = await login(uniqueEmail());
      expect(wrong.status).toBe(401);
      expect(wrong.body.code).toBe('auth.invalid_credentials');
      const { requestId: _a, ...wrongBody } = wrong.body;
      const { requestId: _b, ...unknownBody } = unknown.body;
      expect(unknownBody).toEqual(wrongBody);
    });
  });

  describe('access tokens', () => {
    it('are required on ordinary routes', async () => {
      const res = await me();
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body.code).toBe('auth.unauthenticated');
    });

    it('are refused when forged, malformed or sent with an unknown scheme', async () => {
      const user = await signedInUser(api);
      const forged = new JwtService({ secret: 'another-secret-of-at-least-32-chars!!' }).sign({
        sub: user.id,
        role: 'admin',
      });
      for (const token of [forged, 'garbage', `${user.accessToken}x`]) {
        expect((await me(token)).body.code).toBe('auth.invalid_token');
      }
      const basic = await api.request('GET', '/v1/me', {
        headers: { authorization: 'Basic eDp5' },
      });
      expect(basic.status).toBe(401);
      expect(basic.body.code).toBe('auth.invalid_token');
    });

    it('are refused once expired, also after they were accepted (and remembered)', async () => {
      const user = await signedInUser(api);
      expect((await me(user.accessToken)).status).toBe(200);
      moveClockForward(api.config.auth.accessTtlSeconds + 1);
      const res = await me(user.accessToken);
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('auth.token_expired');
    });

    it('are still checked on public routes when sent', async () => {
      const res = await api.request('POST', '/v1/auth/login', {
        token: 'garbage',
        body: { email: uniqueEmail(), password: PASSWORD },
      });
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('auth.invalid_token');
    });
  });

  describe('refresh', () => {
    it('rotates: the new pair works and can itself be rotated', async () => {
      const user = await signedInUser(api);
      const res = await refresh(user.refreshToken);
      expect(res.status).toBe(200);
      expect(res.body.refreshToken).not.toBe(user.refreshToken);
      expect((await me(res.body.accessToken)).body.id).toBe(user.id);
      expect((await refresh(res.body.refreshToken)).status).toBe(200);
    });

    it('treats reuse of a spent token as theft: 401 and the newest token dies too', async () => {
      const user = await signedInUser(api);
      const second = (await refresh(user.refreshToken)).body.refreshToken as string;
      const third = (await refresh(second)).body.refreshToken as string;

      const reused = await refresh(user.refreshToken);
      expect(reused.status).toBe(401);
      expect(reused.body.code).toBe('auth.refresh_token_reused');
      const newest = await refresh(third);
      expect(newest.status).toBe(401);
      expect(newest.body.code).toBe('auth.invalid_token');
    });

    it('lets exactly one of concurrent refreshes with the same token through', async () => {
      const user = await signedInUser(api);
      const results = await Promise.all(
        Array.from({ length: 5 }, () => refresh(user.refreshToken)),
      );
      const winners = results.filter((r) => r.status === 200);
      expect(winners).toHaveLength(1);
      expect(results.filter((r) => r.body.code === 'auth.refresh_token_reused')).toHaveLength(4);
      // The losers revoked the family, winner's fresh token included.
      expect((await refresh(winners[0]!.body.refreshToken)).status).toBe(401);
    });

    it('revokes the session when a refresh loses the conditional spend to a concurrent one', async () => {
      const user = await signedInUser(api);
      const db = api.app.get(Database);
      // Both refreshes read the token unspent, then wait here on the user's row (held by the
      // test), so neither can take the "already used" branch: one spends it, the other's
      // conditional spend matches nothing.
      const release = await holdOpen(db, (tx) =>
        api.app.get(UserRepository).lock(tx, user.id, 'update'),
      );
      const racing = [refresh(user.refreshToken), refresh(user.refreshToken)];
      for (let waited = 0; ; waited += 20) {
        const [{ n }] = await db.manager.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity
            WHERE wait_event_type = 'Lock' AND datname = current_database()
              AND query LIKE '%FROM users%FOR SHARE%'`,
        );
        if (n === 2) {
          break;
        }
        expect(waited).toBeLessThan(5000);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await release();
      const results = await Promise.all(racing);

      expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
      const winner = results.find((r) => r.status === 200)!;
      const loser = results.find((r) => r.status === 401)!;
      expect(loser.body.code).toBe('auth.refresh_token_reused');
      // The token may have been stolen: whoever won, the session is over.
      expect((await refresh(winner.body.refreshToken as string)).status).toBe(401);
      expect((await me(winner.body.accessToken as string)).status).toBe(401);
    });

    it('spends a token with one conditional UPDATE that a concurrent transaction cannot repeat', async () => {
      const user = await signedInUser(api);
      const [id] = user.refreshToken.split('.') as [string];
      const db = api.app.get(Database);
      const tokens = api.app.get(RefreshTokenRepository);
      let firstSpent!: () => void;
      let commitFirst!: () => void;
      const spent = new Promise<void>((resolve) => (firstSpent = resolve));
      const first = db.transaction(undefined, async (tx) => {
        const won = await tokens.markUsed(tx, id);
        firstSpent();
        await new Promise<void>((resolve) => (commitFirst = resolve));

        return won;
      });
      await spent;
      // Waits on the row lock of the uncommitted first spend, then re-checks and matches nothing.
      const second = db.transaction(undefined, (tx) => tokens.markUsed(tx, id));
      await new Promise((resolve) => setTimeout(resolve, 50));
      commitFirst();
      expect(await first).toBe(true);
      expect(await second).toBe(false);
    });

    it('refuses unknown, tampered and expired tokens', async () => {
      const user = await signedInUser(api);
      const [id] = user.refreshToken.split('.');
      expect((await refresh('nope')).body.code).toBe('auth.invalid_token');
      expect((await refresh(`${id}.${'A'.repeat(43)}`)).body.code).toBe('auth.invalid_token');
      moveClockForward(api.config.auth.refreshTtlSeconds + 1);
      const expired = await refresh(user.refreshToken);
      expect(expired.status).toBe(401);
      expect(expired.body.code).toBe('auth.token_expired');
    });

    it('keeps the session expiry of the first sign-in across rotations', async () => {
      const user = await signedInUser(api);
      moveClockForward(api.config.auth.refreshTtlSeconds - 60);
      const rotated = (await refresh(user.refreshToken)).body.refreshToken as string;
      jest.setSystemTime(Date.now() + 120_000);
      expect((await refresh(rotated)).body.code).toBe('auth.token_expired');
    });
  });

  describe('logout', () => {
    it('revokes the session of the refresh token', async () => {
      const user = await signedInUser(api);
      const res = await api.request('POST', '/v1/auth/logout', {
        body: { refreshToken: user.refreshToken },
      });
      expect(res.status).toBe(204);
      const after = await refresh(user.refreshToken);
      expect(after.status).toBe(401);
      expect(after.body.code).toBe('auth.invalid_token');
    });

    it('ends every session of the user with everywhere, given a live token', async () => {
      const user = await signedInUser(api);
      const laptop = (await login(user.email, user.password)).body;
      const spent = (await login(user.email, user.password)).body.refreshToken as string;
      const phone = (await refresh(spent)).body;
      const other = await signedInUser(api);
      const logout = (refreshToken: string) =>
        api.request('POST', '/v1/auth/logout', { body: { refreshToken, everywhere: true } });

      const withSpent = await logout(spent);
      const res = await logout(laptop.refreshToken);

      expect(withSpent.status).toBe(401);
      expect(res.status).toBe(204);
      for (const token of [user.refreshToken, laptop.refreshToken, phone.refreshToken]) {
        expect((await refresh(token)).status).toBe(401);
      }
      expect((await refresh(other.refreshToken)).status).toBe(200);
    });

    it('ends a session whose refresh commits its new token while the logout waits', async () => {
      const user = await signedInUser(api);
      const tokens = api.app.get(RefreshTokenRepository);
      const db = api.app.get(Database);
      const [spentId] = user.refreshToken.split('.') as [string];
      const { familyId } = (await tokens.findById(db.manager, spentId))!;
      const { issued, commit } = await refreshInFlight(user.id, familyId);
      const loggedOut = api.request('POST', '/v1/auth/logout', {
        body: { refreshToken: user.refreshToken },
      });
      await lockWaitSeen(api.app.get(Database));
      await commit();

      expect((await loggedOut).status).toBe(204);
      expect((await tokens.findById(db.manager, issued))?.revokedAt).toEqual(expect.any(Date));
    });

    it('refuses a token it did not issue', async () => {
      const res = await api.request('POST', '/v1/auth/logout', { body: { refreshToken: 'x.y' } });
      expect(res.status).toBe(401);
    });
  });

  describe('ended sessions', () => {
    const logout = (refreshToken: string) =>
      api.request('POST', '/v1/auth/logout', { body: { refreshToken } });

    it("refuse the session's access tokens at once after a logout; other sessions keep theirs", async () => {
      const user = await signedInUser(api);
      const otherDevice = (await login(user.email, user.password)).body;
      expect((await me(user.accessToken)).status).toBe(200); // verified once, then remembered

      expect((await logout(user.refreshToken)).status).toBe(204);
      const res = await me(user.accessToken);

      expect(res.status).toBe(401);
      expect(res.body.code).toBe('auth.invalid_token');
      expect((await me(otherDevice.accessToken)).status).toBe(200);
    });

    it('refuse every earlier access token after a password change, not the new one', async () => {
      const user = await signedInUser(api);
      const otherDevice = (await login(user.email, user.password)).body;
      const changed = await api.request('POST', '/v1/me/password', {
        token: user.accessToken,
        body: { currentPassword: user.password, newPassword: 'a brand new passphrase' },
      });

      expect(changed.status).toBe(200);
      expect((await me(user.accessToken)).status).toBe(401);
      expect((await me(otherDevice.accessToken)).status).toBe(401);
      expect((await me(changed.body.accessToken)).status).toBe(200);
    });

    it("refuse the family's access tokens once a stolen refresh token is replayed", async () => {
      const user = await signedInUser(api);
      const rotated = (await refresh(user.refreshToken)).body;

      expect((await refresh(user.refreshToken)).body.code).toBe('auth.refresh_token_reused');
      expect((await me(rotated.accessToken)).status).toBe(401);
      expect((await me(user.accessToken)).status).toBe(401);
    });

    it('are refused by other instances within their poll, and by one started afterwards', async () => {
      const polling = await startApi({ AUTH_REVOCATION_POLL_MS: '100' });
      try {
        const user = await signedInUser(api);
        expect((await polling.request('GET', '/v1/me', { token: user.accessToken })).status).toBe(
          200,
        );

        await logout(user.refreshToken);
        const started = Date.now();
        let status = 200;
        while (status === 200 && Date.now() - started < 5000) {
          await new Promise((resolve) => setTimeout(resolve, 50));
          status = (await polling.request('GET', '/v1/me', { token: user.accessToken })).status;
        }
        const later = await startApi();
        try {
          expect(status).toBe(401);
          expect((await later.request('GET', '/v1/me', { token: user.accessToken })).status).toBe(
            401,
          );
        } finally {
          await later.close();
        }
      } finally {
        await polling.close();
      }
    });

    it('export how long ago they were last read, for an alert when polling stops', async () => {
      // No poll during the test: its clock moves, the timer's does not.
      const quiet = await startApi({ AUTH_REVOCATION_POLL_MS: '3600000' });
      const age = async () => {
        const text = (await quiet.metrics()).body;
        const line = text.split('\n').find((l) => l.startsWith('auth_revocations_age_seconds '));

        return Number(line?.split(' ')[1]);
      };
      try {
        const fresh = await age();
        moveClockForward(120);

        expect(fresh).toBeGreaterThanOrEqual(0);
        expect(fresh).toBeLessThan(5);
        expect(await age()).toBeGreaterThanOrEqual(120);
      } finally {
        await quiet.close();
      }
    });

    it('are forgotten once every access token they had has expired', async () => {
      const revoked = api.app.get(RevokedSessions);
      const [recent, old] = [randomUUID(), randomUUID()];
      revoked.add([old]);
      moveClockForward(api.config.auth.accessTtlSeconds + 300);
      revoked.add([recent]);
      await revoked.poll();

      expect(revoked.isRevoked(recent)).toBe(true);
      expect(revoked.isRevoked(old)).toBe(false);
    });
  });

  describe('password change', () => {
    const change = (token: string, currentPassword: string, newPassword: string) =>
      api.request('POST', '/v1/me/password', {
        token,
        body: { currentPassword, newPassword },
      });

    it('takes the current password, ends every session and starts a new one', async () => {
      const user = await signedInUser(api);
      const otherDevice = (await login(user.email, user.password)).body;

      const res = await change(user.accessToken, user.password, 'a brand new passphrase');

      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ user: { id: user.id }, refreshToken: expect.any(String) });
      for (const old of [user.refreshToken, otherDevice.refreshToken]) {
        expect((await refresh(old)).status).toBe(401);
      }
      expect((await refresh(res.body.refreshToken)).status).toBe(200);
      expect((await login(user.email, user.password)).status).toBe(401);
      expect((await login(user.email, 'a brand new passphrase')).status).toBe(200);
    });

    it('refuses a wrong current password, a short new one and API keys', async () => {
      const user = await signedInUser(api);
      const admin = await signedInUser(api, { role: 'admin' });
      const key = await api.request('POST', '/v1/admin/api-keys', {
        token: admin.accessToken,
        body: { name: 'no-password', scopes: ['ledger'] },
      });

      const wrong = await change(user.accessToken, 'not my password', 'a brand new passphrase');
      const short = await change(user.accessToken, user.password, 'short');
      const asKey = await change(`ApiKey ${key.body.key}`, 'x', 'a brand new passphrase');

      expect(wrong.status).toBe(403);
      expect(wrong.body.code).toBe('auth.wrong_password');
      expect(short.status).toBe(400);
      expect(short.body.errors).toEqual([expect.objectContaining({ field: 'newPassword' })]);
      expect(asKey.status).toBe(403);
      expect((await refresh(user.refreshToken)).status).toBe(200);
    });

    it('counts wrong current passwords against the sign-in lockout', async () => {
      const user = await signedInUser(api);
      for (let i = 0; i < api.config.auth.maxFailedLogins; i++) {
        expect((await change(user.accessToken, 'a guess', 'a brand new passphrase')).status).toBe(
          403,
        );
      }

      const locked = await change(user.accessToken, user.password, 'a brand new passphrase');

      expect(locked.status).toBe(429);
      expect(locked.body.code).toBe('auth.too_many_attempts');
      expect((await login(user.email, user.password)).status).toBe(429);
    });

    it('also ends a session that a refresh in flight is issuing', async () => {
      const user = await signedInUser(api);
      const tokens = api.app.get(RefreshTokenRepository);
      const { issued, commit } = await refreshInFlight(user.id, randomUUID());
      const changed = change(user.accessToken, user.password, 'a brand new passphrase');
      await lockWaitSeen(api.app.get(Database));
      await commit();

      expect((await changed).status).toBe(200);
      const token = await tokens.findById(api.app.get(Database).manager, issued);
      expect(token?.revokedAt).toEqual(expect.any(Date));
    });

    it('holds a refresh that arrives during the change until it commits, then refuses it', async () => {
      const user = await signedInUser(api);
      // A password change between its lock on the user and its commit.
      const commit = await holdOpen(
        api.app.get(Database),
        (tx) => api.app.get(UserRepository).lock(tx, user.id, 'update'),
        (tx) => api.app.get(RefreshTokenRepository).revokeAllOf(tx, user.id),
      );
      const refreshed = refresh(user.refreshToken);
      await lockWaitSeen(api.app.get(Database));
      await commit();

      expect((await refreshed).status).toBe(401);
    });
  });

  describe('admin users', () => {
    it('finds a user by email, disables them (sessions end, no sign-in) and enables them', async () => {
      const admin = await signedInUser(api, { role: 'admin' });
      const user = await signedInUser(api);
      const asAdmin = (path: string, method = 'POST') =>
        api.request(method, path, { token: admin.accessToken });

      const found = await asAdmin(`/v1/admin/users?email=${user.email.toUpperCase()}`, 'GET');
      const disabled = await asAdmin(`/v1/admin/users/${user.id}/disable`);
      const again = await asAdmin(`/v1/admin/users/${user.id}/disable`);
      const accessed = await me(user.accessToken);
      const refreshed = await refresh(user.refreshToken);
      const signIn = await login(user.email, user.password);
      const guess = await login(user.email, 'wrong password');
      const enabled = await asAdmin(`/v1/admin/users/${user.id}/enable`);

      expect(found.body).toEqual({
        id: user.id,
        email: user.email,
        role: 'user',
        createdAt: expect.any(String),
        disabledAt: null,
        emailVerifiedAt: expect.any(String),
        twoFactorEnabled: false,
      });
      expect(disabled.status).toBe(200);
      expect(disabled.body.disabledAt).toEqual(expect.any(String));
      expect(again.body.disabledAt).toBe(disabled.body.disabledAt);
      expect(accessed.status).toBe(401);
      expect(refreshed.status).toBe(401);
      expect(signIn.status).toBe(403);
      expect(signIn.body.code).toBe('auth.account_disabled');
      // Only a caller who knows the password learns that the account is disabled.
      expect(guess.status).toBe(401);
      expect(enabled.body.disabledAt).toBeNull();
      expect((await login(user.email, user.password)).status).toBe(200);
    });

    it('are managed by admins only, never disabling themselves', async () => {
      const admin = await signedInUser(api, { role: 'admin' });
      const user = await signedInUser(api);

      const asUser = await api.request('POST', `/v1/admin/users/${admin.id}/disable`, {
        token: user.accessToken,
      });
      const self = await api.request('POST', `/v1/admin/users/${admin.id}/disable`, {
        token: admin.accessToken,
      });
      const unknown = await api.request('POST', `/v1/admin/users/${randomUUID()}/disable`, {
        token: admin.accessToken,
      });
      const noEmail = await api.request('GET', '/v1/admin/users', { token: admin.accessToken });

      expect(asUser.status).toBe(403);
      expect(self.status).toBe(403);
      expect(unknown.status).toBe(404);
      expect(unknown.body.code).toBe('auth.user_not_found');
      expect(noEmail.status).toBe(400);
      expect(noEmail.body.errors).toEqual([expect.objectContaining({ field: 'email' })]);
    });
  });

  describe('roles', () => {
    it('keeps users out of admin routes and lets admins in', async () => {
      const user = await signedInUser(api);
      const admin = await signedInUser(api, { role: 'admin' });
      const denied = await api.request('GET', '/v1/admin/api-keys', { token: user.accessToken });
      expect(denied.status).toBe(403);
      expect(denied.headers.get('content-type')).toContain('application/problem+json');
      expect(denied.body.code).toBe('auth.forbidden');
      expect(
        (await api.request('GET', '/v1/admin/api-keys', { token: admin.accessToken })).status,
      ).toBe(200);
    });
  });

  describe('seeding', () => {
    it('ensureUser creates once and then returns the same user unchanged', async () => {
      const auth = api.app.get(AuthService);
      const email = uniqueEmail();
      const first = await auth.ensureUser({ email, password: PASSWORD, role: 'admin' });
      const again = await auth.ensureUser({ email, password: 'another password!', role: 'user' });
      expect(again).toEqual(first);
      expect(first.role).toBe('admin');
      expect((await login(email)).status).toBe(200);
    });
  });
});
