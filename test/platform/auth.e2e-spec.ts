import { AuthService, Database } from '@bourse/platform';
import { RefreshTokenRepository } from '../../libs/platform/src/auth/refresh-token.repository';
import { JwtService } from '@nestjs/jwt';
import { signedInUser, uniqueEmail } from '../factories/users';
import { startApi, type TestServer } from '../setup/apps';

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

  describe('register', () => {
    it('creates a user (role user, email lowercased) and signs them in', async () => {
      const email = uniqueEmail();
      const res = await register(email.toUpperCase());
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        user: { id: expect.any(String), email, role: 'user', createdAt: expect.any(String) },
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

    it('are refused once expired', async () => {
      const user = await signedInUser(api);
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

    it('refuses a token it did not issue', async () => {
      const res = await api.request('POST', '/v1/auth/logout', { body: { refreshToken: 'x.y' } });
      expect(res.status).toBe(401);
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
