import { dataSourceOptions, Database, hotp, rows, totpStep } from '@bourse/platform';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { OidcSimulator } from '../../simulators/oidc/oidc.simulator';
import { SmtpCapture, type CapturedEmail } from '../../simulators/smtp/smtp-capture';
import { base32Decode, enrolTwoFactor } from '../factories/two-factor';
import { signedInUser, uniqueEmail, type SignedInUser } from '../factories/users';
import { startApi, testConfig, type HttpResult, type TestServer } from '../setup/apps';
import { adminQuery, TEST_DB_ENV, testDatabaseUrl } from '../setup/test-env';
import { startWorker } from '../setup/worker';

// The worker's relay takes every outbox row: this file's api and worker get a database and Redis
// prefix of their own.
const DATABASE = `${process.env[TEST_DB_ENV]}_identity`;
const PASSWORD = 'a long enough password';
const AUDIENCE = 'bourse-test';
const ROLES_CLAIM = 'https://bourse.test/roles';
const DOWN_ISSUER = 'https://down.bourse.test/';

async function waitFor<T>(probe: () => T | Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > deadline) {
      return value;
    }
    await sleep(50);
  }
}

/**
 * Waits until at least 12 s are left in the current 30 s TOTP step, so the codes a test computes
 * for the steps around "now" stay within the one-step window while it runs.
 */
async function awayFromStepEdge(): Promise<number> {
  const left = 30_000 - (Date.now() % 30_000);
  if (left < 12_000) {
    await sleep(left + 50);
  }

  return totpStep(Date.now());
}

describe('identity: e-mail verification, password reset, two-factor, sessions, external providers', () => {
  let smtp: SmtpCapture;
  let oidc: OidcSimulator;
  let api: TestServer;
  let worker: TestServer;

  const post = (path: string, body?: unknown, token?: string) =>
    api.request('POST', path, { body, token });
  const get = (path: string, token?: string) => api.request('GET', path, { token });

  /** The one e-mail of `template` to `email`, waited for. */
  const mailTo = async (email: string, template: string): Promise<CapturedEmail> => {
    const matching = (): CapturedEmail[] =>
      smtp.messages.filter(
        (m) => m.to.includes(email) && m.headers.get('x-bourse-template') === template,
      );
    const found = await waitFor(matching, (list) => list.length > 0);
    expect(found).toHaveLength(1);

    return found[0]!;
  };
  const tokenIn = (email: CapturedEmail): string =>
    decodeURIComponent(/token=([^\s"&]+)/.exec(email.text ?? '')![1]!);
  const auditOf = async (target: string): Promise<string[]> =>
    (
      await rows<{ action: string }>(
        api.app.get(Database).manager,
        `SELECT action FROM audit_events WHERE target = $1 ORDER BY id`,
        [target],
      )
    ).map((row) => row.action);
  const problem = (res: HttpResult, status: number, code: string) => {
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body.code).toBe(code);
  };

  beforeAll(async () => {
    smtp = new SmtpCapture();
    await smtp.start();
    oidc = new OidcSimulator();
    await oidc.start();
    const env = {
      DATABASE_URL: testDatabaseUrl(DATABASE),
      REDIS_KEY_PREFIX: `${process.env.REDIS_KEY_PREFIX}-identity`,
      OUTBOX_RELAY_INTERVAL_MS: '20',
      NOTIFICATIONS_SMTP_URL: smtp.url,
      NOTIFICATIONS_EMAIL_FROM: 'Bourse <accounts@bourse.test>',
      AUTH_EMAIL_LINK_URL: 'https://app.bourse.test/app/',
      AUTH_OIDC_PROVIDERS: JSON.stringify([
        { issuer: oidc.issuer, audience: AUDIENCE, jwksUrl: oidc.jwksUrl, rolesClaim: ROLES_CLAIM },
        // A provider whose key set cannot be fetched (nothing listens on port 1).
        { issuer: DOWN_ISSUER, audience: AUDIENCE, jwksUrl: 'http://127.0.0.1:1/jwks.json' },
      ]),
      AUTH_OIDC_JWKS_COOLDOWN_SECONDS: '0',
    };
    await adminQuery(`CREATE DATABASE ${DATABASE}`);
    const source = new DataSource(
      dataSourceOptions({ ...testConfig(env).database, poolSize: 2 }, { migrations: MIGRATIONS }),
    );
    await source.initialize();
    await source.runMigrations();
    await source.destroy();
    api = await startApi(env);
    worker = await startWorker(env);
  });
  afterAll(async () => {
    await worker?.close();
    await api?.close();
    await smtp?.stop();
    await oidc?.stop();
    await adminQuery(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
  });

  describe('e-mail verification', () => {
    it('e-mails a link at sign-up; until it is followed no identity check starts and no trade is placed', async () => {
      const email = uniqueEmail();
      const registered = await post('/v1/auth/register', { email, password: PASSWORD });
      expect(registered.status).toBe(201);
      expect(registered.body.user).toEqual({
        id: expect.any(String),
        email,
        role: 'user',
        createdAt: expect.any(String),
        disabledAt: null,
        emailVerifiedAt: null,
        twoFactorEnabled: false,
      });
      const token = registered.body.accessToken as string;

      const mail = await mailTo(email, 'auth.verify-email');
      expect(mail.subject).toBe('Confirm your e-mail address');
      expect(mail.text).toContain('https://app.bourse.test/app/verify-email?token=');
      problem(await post('/v1/kyc/submit', undefined, token), 403, 'auth.email_unverified');
      problem(
        await post('/v1/trading/quotes', { metal: 'XAU', side: 'buy', amount: '100' }, token),
        403,
        'auth.email_unverified',
      );
      const resent = await post('/v1/me/email-verification', undefined, token);
      problem(resent, 429, 'auth.resend_too_soon');
      expect(Number(resent.headers.get('retry-after'))).toBeGreaterThan(0);

      const verified = await post('/v1/auth/verify-email', { token: tokenIn(mail) });
      expect(verified.status).toBe(200);
      expect(verified.body).toEqual({
        ...registered.body.user,
        emailVerifiedAt: expect.any(String),
      });
      expect((await get('/v1/me', token)).body.emailVerifiedAt).toBe(verified.body.emailVerifiedAt);
      // Past the gate: KYC now answers about the case itself.
      problem(await post('/v1/kyc/submit', undefined, token), 409, 'kyc.invalid_transition');
      problem(
        await post('/v1/me/email-verification', undefined, token),
        409,
        'auth.email_already_verified',
      );
      expect(await auditOf(`user:${verified.body.id}`)).toEqual(['user.email_verify']);
    });

    it('refuses a link used once, tampered with or expired, all alike', async () => {
      const [first, second] = [uniqueEmail(), uniqueEmail()];
      await post('/v1/auth/register', { email: first, password: PASSWORD });
      await post('/v1/auth/register', { email: second, password: PASSWORD });
      const used = tokenIn(await mailTo(first, 'auth.verify-email'));
      const expired = tokenIn(await mailTo(second, 'auth.verify-email'));
      expect((await post('/v1/auth/verify-email', { token: used })).status).toBe(200);
      await rows(
        api.app.get(Database).manager,
        `UPDATE email_tokens SET expires_at = now() - interval '1 second' WHERE email = $1`,
        [second],
      );
      const [id, secret] = expired.split('.') as [string, string];
      const tampered = `${id}.${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`;

      const answers = await Promise.all(
        [used, expired, tampered, 'not-a-token'].map((token) =>
          post('/v1/auth/verify-email', { token }),
        ),
      );

      for (const answer of answers) {
        expect(answer.status).toBe(400);
        expect(answer.body).toEqual({
          type: 'urn:problem:bourse:auth.invalid_email_token',
          title: 'Bad Request',
          status: 400,
          code: 'auth.invalid_email_token',
          detail: 'This link is invalid, already used or expired; ask for a new one',
          field: 'token',
          instance: '/v1/auth/verify-email',
          requestId: expect.any(String),
        });
      }
    });
  });

  describe('password reset', () => {
    it('answers the same for an unknown address, in the same time, and e-mails it a notice instead of a link', async () => {
      const user = await signedInUser(api);
      const unknown = uniqueEmail();

      const known = await post('/v1/auth/password/forgot', { email: user.email.toUpperCase() });
      const stranger = await post('/v1/auth/password/forgot', { email: unknown });

      expect(known.status).toBe(202);
      expect(stranger.status).toBe(known.status);
      expect(stranger.body).toEqual(known.body);
      expect(stranger.headers.get('content-length')).toBe(known.headers.get('content-length'));
      const link = await mailTo(user.email, 'auth.reset-password');
      const notice = await mailTo(unknown, 'auth.reset-unknown');
      expect(link.text).toContain('https://app.bourse.test/app/reset-password?token=');
      expect(notice.text).not.toContain('token=');

      // The same statements run either way: the medians of a few requests each stay close.
      const timed = async (email: string): Promise<number> => {
        const started = performance.now();
        await post('/v1/auth/password/forgot', { email });

        return performance.now() - started;
      };
      const median = (values: number[]) => values.sort((a, b) => a - b)[2]!;
      const knownTimes: number[] = [];
      const unknownTimes: number[] = [];
      for (let i = 0; i < 5; i++) {
        const other = await signedInUser(api);
        knownTimes.push(await timed(other.email));
        unknownTimes.push(await timed(uniqueEmail()));
      }
      expect(Math.abs(median(knownTimes) - median(unknownTimes))).toBeLessThan(
        Math.max(25, median(knownTimes)),
      );
    });

    it('sets the new password with a single-use link and ends every session', async () => {
      const user = await signedInUser(api);
      const other = await post('/v1/auth/login', { email: user.email, password: PASSWORD });
      await post('/v1/auth/password/forgot', { email: user.email });
      const token = tokenIn(await mailTo(user.email, 'auth.reset-password'));
      const newPassword = 'a brand new password';

      const reset = await post('/v1/auth/password/reset', { token, newPassword });

      expect(reset.status).toBe(204);
      problem(await get('/v1/me', user.accessToken), 401, 'auth.invalid_token');
      problem(await get('/v1/me', other.body.accessToken), 401, 'auth.invalid_token');
      problem(
        await post('/v1/auth/refresh', { refreshToken: user.refreshToken }),
        401,
        'auth.invalid_token',
      );
      problem(
        await post('/v1/auth/login', { email: user.email, password: PASSWORD }),
        401,
        'auth.invalid_credentials',
      );
      expect(
        (await post('/v1/auth/login', { email: user.email, password: newPassword })).status,
      ).toBe(200);
      problem(
        await post('/v1/auth/password/reset', { token, newPassword: 'yet another password' }),
        400,
        'auth.invalid_email_token',
      );
      expect(await auditOf(`user:${user.id}`)).toEqual(['user.password_reset']);
    });

    it('refuses an expired or tampered reset link, and a verification link as one', async () => {
      const unverified = uniqueEmail();
      await post('/v1/auth/register', { email: unverified, password: PASSWORD });
      const verification = tokenIn(await mailTo(unverified, 'auth.verify-email'));
      problem(
        await post('/v1/auth/password/reset', {
          token: verification,
          newPassword: 'a brand new password',
        }),
        400,
        'auth.invalid_email_token',
      );
      const user = await signedInUser(api);
      await post('/v1/auth/password/forgot', { email: user.email });
      const token = tokenIn(await mailTo(user.email, 'auth.reset-password'));
      const [id, secret] = token.split('.') as [string, string];
      const body = { newPassword: 'a brand new password' };

      problem(
        await post('/v1/auth/password/reset', {
          ...body,
          token: `${id}.${secret.split('').reverse().join('')}`,
        }),
        400,
        'auth.invalid_email_token',
      );
      await rows(
        api.app.get(Database).manager,
        `UPDATE email_tokens SET expires_at = now() - interval '1 second' WHERE id = $1`,
        [id],
      );
      problem(
        await post('/v1/auth/password/reset', { ...body, token }),
        400,
        'auth.invalid_email_token',
      );
      expect((await post('/v1/auth/login', { email: user.email, password: PASSWORD })).status).toBe(
        200,
      );
    });
  });

  describe('two-factor (TOTP)', () => {
    const enrol = (user: SignedInUser, step: number) => enrolTwoFactor(api, user, step);

    it('enrols with an otpauth URI and a first code, then asks for a code at sign-in; a code works once', async () => {
      const step = await awayFromStepEdge();
      const user = await signedInUser(api);
      const started = await post('/v1/me/two-factor', undefined, user.accessToken);
      expect(started.status).toBe(201);
      expect(started.body).toEqual({
        secret: expect.stringMatching(/^[A-Z2-7]{32}$/),
        otpauthUri: `otpauth://totp/Bourse:${encodeURIComponent(user.email)}?secret=${started.body.secret}&issuer=Bourse&algorithm=SHA1&digits=6&period=30`,
      });
      const secret = base32Decode(started.body.secret as string);
      problem(
        await post(
          '/v1/me/two-factor/confirm',
          { code: '000000' === hotp(secret, step) ? '111111' : '000000' },
          user.accessToken,
        ),
        401,
        'auth.invalid_second_factor',
      );
      const confirmed = await post(
        '/v1/me/two-factor/confirm',
        { code: hotp(secret, step - 1) },
        user.accessToken,
      );
      expect(confirmed.status).toBe(200);
      expect(confirmed.body.recoveryCodes).toHaveLength(10);
      expect(new Set(confirmed.body.recoveryCodes).size).toBe(10);
      expect(confirmed.body.recoveryCodes[0]).toMatch(/^[a-z2-7]{5}-[a-z2-7]{5}$/);
      expect((await get('/v1/me', user.accessToken)).body.twoFactorEnabled).toBe(true);

      const challenged = await post('/v1/auth/login', { email: user.email, password: PASSWORD });
      problem(challenged, 403, 'auth.second_factor_required');
      const { challengeToken } = challenged.body as { challengeToken: string };
      expect(challengeToken).toEqual(expect.any(String));
      // The challenge is no access token.
      problem(await get('/v1/me', challengeToken), 401, 'auth.invalid_token');
      // The code that confirmed the enrolment is spent, and so is any earlier step.
      problem(
        await post('/v1/auth/login/second-factor', {
          challengeToken,
          code: hotp(secret, step - 1),
        }),
        401,
        'auth.invalid_second_factor',
      );
      const signedIn = await post('/v1/auth/login/second-factor', {
        challengeToken,
        code: hotp(secret, step),
      });
      expect(signedIn.status).toBe(200);
      expect(signedIn.body.user).toMatchObject({ id: user.id, twoFactorEnabled: true });
      // Replayed within its window: refused.
      problem(
        await post('/v1/auth/login/second-factor', { challengeToken, code: hotp(secret, step) }),
        401,
        'auth.invalid_second_factor',
      );
      problem(
        await post('/v1/auth/login/second-factor', {
          challengeToken: 'forged',
          code: hotp(secret, step + 1),
        }),
        401,
        'auth.invalid_token',
      );
      expect(await auditOf(`user:${user.id}`)).toEqual([
        'user.two_factor_enable',
        'user.second_factor_sign_in',
      ]);
    });

    it('takes each recovery code once', async () => {
      const step = await awayFromStepEdge();
      const user = await signedInUser(api);
      const { recoveryCodes } = await enrol(user, step);
      const challenge = async () =>
        (await post('/v1/auth/login', { email: user.email, password: PASSWORD })).body
          .challengeToken as string;

      const first = await post('/v1/auth/login/second-factor', {
        challengeToken: await challenge(),
        recoveryCode: recoveryCodes[0]!.toUpperCase(),
      });
      const again = await post('/v1/auth/login/second-factor', {
        challengeToken: await challenge(),
        recoveryCode: recoveryCodes[0],
      });

      expect(first.status).toBe(200);
      problem(again, 401, 'auth.invalid_second_factor');
      expect(await auditOf(`user:${user.id}`)).toEqual([
        'user.two_factor_enable',
        'user.recovery_code_use',
        'user.second_factor_sign_in',
      ]);
    });

    it('limits wrong codes like wrong passwords', async () => {
      const step = await awayFromStepEdge();
      const user = await signedInUser(api);
      const { secret } = await enrol(user, step);
      const wrong = hotp(secret, step + 5);
      for (let i = 0; i < api.config.auth.maxFailedLogins; i++) {
        problem(
          await post('/v1/me/step-up', { code: wrong }, user.accessToken),
          401,
          'auth.invalid_second_factor',
        );
      }

      problem(
        await post('/v1/me/step-up', { code: hotp(secret, step + 1) }, user.accessToken),
        429,
        'auth.too_many_attempts',
      );
    });

    it('asks admins who turned it on for a recent step-up before creating an API key', async () => {
      const step = await awayFromStepEdge();
      const admin = await signedInUser(api, { role: 'admin' });
      const plain = await signedInUser(api, { role: 'admin' });
      const { secret } = await enrol(admin, step - 1);
      const createKey = (who: SignedInUser) =>
        post('/v1/admin/api-keys', { name: 'reconciler', scopes: ['ledger'] }, who.accessToken);
      // Confirming the enrolment proved the factor; let that proof age past the limit.
      await rows(
        api.app.get(Database).manager,
        `UPDATE auth_sessions SET stepped_up_at = now() - interval '301 seconds' WHERE user_id = $1`,
        [admin.id],
      );

      problem(await createKey(admin), 403, 'auth.step_up_required');
      // Policy `enrolled`: an admin without two-factor is not asked.
      expect((await createKey(plain)).status).toBe(201);
      const stepped = await post('/v1/me/step-up', { code: hotp(secret, step) }, admin.accessToken);
      expect(stepped.status).toBe(200);
      expect(new Date(stepped.body.validUntil).getTime()).toBeGreaterThan(Date.now() + 290_000);
      expect((await createKey(admin)).status).toBe(201);
      problem(
        await post('/v1/me/step-up', { code: hotp(secret, step) }, admin.accessToken),
        401,
        'auth.invalid_second_factor',
      );
      expect(await auditOf(`user:${admin.id}`)).toEqual(['user.two_factor_enable', 'user.step_up']);
    });

    it('turns off with a code, and then sign-in asks for none', async () => {
      const step = await awayFromStepEdge();
      const user = await signedInUser(api);
      const { secret } = await enrol(user, step - 1);

      const disabled = await post(
        '/v1/me/two-factor/disable',
        { code: hotp(secret, step) },
        user.accessToken,
      );

      expect(disabled.status).toBe(204);
      expect((await post('/v1/auth/login', { email: user.email, password: PASSWORD })).status).toBe(
        200,
      );
      problem(
        await post('/v1/me/step-up', { code: hotp(secret, step + 1) }, user.accessToken),
        409,
        'auth.two_factor_state',
      );
    });
  });

  describe('sessions', () => {
    it('lists the devices signed in, and ends one', async () => {
      const user = await signedInUser(api);
      const phone = await api.request('POST', '/v1/auth/login', {
        body: { email: user.email, password: PASSWORD },
        headers: { 'user-agent': 'BourseApp/2.1 (iPhone)' },
      });

      const listed = await get('/v1/me/sessions', user.accessToken);

      expect(listed.status).toBe(200);
      expect(listed.body).toEqual([
        {
          id: expect.any(String),
          createdAt: expect.any(String),
          lastUsedAt: expect.any(String),
          ip: '127.0.0.1',
          userAgent: 'BourseApp/2.1 (iPhone)',
          current: false,
        },
        {
          id: expect.any(String),
          createdAt: expect.any(String),
          lastUsedAt: expect.any(String),
          ip: '127.0.0.1',
          userAgent: 'node',
          current: true,
        },
      ]);
      const phoneSession = listed.body[0].id as string;
      expect(
        (
          await api.request('DELETE', `/v1/me/sessions/${phoneSession}`, {
            token: user.accessToken,
          })
        ).status,
      ).toBe(204);
      problem(await get('/v1/me', phone.body.accessToken), 401, 'auth.invalid_token');
      problem(
        await post('/v1/auth/refresh', { refreshToken: phone.body.refreshToken }),
        401,
        'auth.invalid_token',
      );
      expect((await get('/v1/me/sessions', user.accessToken)).body).toEqual([listed.body[1]]);
      // Another user's session is not found, as an unknown one.
      const stranger = await signedInUser(api);
      const theirs = (await get('/v1/me/sessions', stranger.accessToken)).body[0].id as string;
      problem(
        await api.request('DELETE', `/v1/me/sessions/${theirs}`, { token: user.accessToken }),
        404,
        'auth.session_not_found',
      );
      expect((await get('/v1/me', stranger.accessToken)).status).toBe(200);
      expect(await auditOf(`session:${phoneSession}`)).toEqual(['session.revoke']);
    });
  });

  describe('external identity providers (OIDC)', () => {
    const external = (
      claims: Partial<Parameters<OidcSimulator['issue']>[0]> = {},
      options: Parameters<OidcSimulator['issue']>[1] = {},
    ) => oidc.issue({ sub: 'auth0|ada', audience: AUDIENCE, ...claims }, options);

    it('maps the subject to one local user, made on first use, verified per the provider', async () => {
      const sub = `auth0|${uniqueEmail()}`;
      const email = uniqueEmail();

      const first = await get('/v1/me', await external({ sub, email, email_verified: true }));
      const second = await get('/v1/me', await external({ sub, email, email_verified: true }));

      expect(first.status).toBe(200);
      expect(first.body).toEqual({
        id: expect.any(String),
        email,
        role: 'user',
        createdAt: expect.any(String),
        disabledAt: null,
        emailVerifiedAt: expect.any(String),
        twoFactorEnabled: false,
      });
      expect(second.body).toEqual(first.body);
      expect(await auditOf(`user:${first.body.id}`)).toEqual(['user.external_link']);
      // No password signs in to it, and a reset does not give it one.
      problem(
        await post('/v1/auth/login', { email, password: '-' }),
        401,
        'auth.invalid_credentials',
      );
      expect((await post('/v1/auth/password/forgot', { email })).status).toBe(202);
      expect((await mailTo(email, 'auth.reset-unknown')).text).not.toContain('token=');
    });

    it('takes the role from the configured claim, and an unverified address stays unverified', async () => {
      const token = await external({
        sub: `okta|${uniqueEmail()}`,
        email: uniqueEmail(),
        email_verified: false,
        claims: { [ROLES_CLAIM]: ['no-such-role', 'support'] },
      });

      const me = await get('/v1/me', token);

      expect(me.body).toMatchObject({ role: 'support', emailVerifiedAt: null });
      problem(await post('/v1/kyc/submit', undefined, token), 403, 'auth.email_unverified');
    });

    it('refuses a wrong audience, an expired token, an unknown key; tolerates the clock skew', async () => {
      const sub = `clerk|${uniqueEmail()}`;

      problem(
        await get('/v1/me', await external({ sub, audience: 'someone-else' })),
        401,
        'auth.invalid_token',
      );
      problem(
        await get('/v1/me', await external({ sub, expiresIn: -120 })),
        401,
        'auth.token_expired',
      );
      problem(
        await get('/v1/me', await external({ sub }, { key: 'unpublished' })),
        401,
        'auth.invalid_token',
      );
      // Expired 30 s ago by the provider's clock: within the 60 s skew allowed.
      expect((await get('/v1/me', await external({ sub, expiresIn: -30 }))).status).toBe(200);
    });

    it("answers 503 while a provider's key set cannot be fetched", async () => {
      const res = await get('/v1/me', await external({}, { issuer: DOWN_ISSUER }));

      problem(res, 503, 'auth.provider_unavailable');
      expect(res.headers.get('retry-after')).toBe('1');
    });

    it('picks up a rotated key by fetching the JWKS again', async () => {
      const sub = `firebase|${uniqueEmail()}`;
      const before = await external({ sub });
      expect((await get('/v1/me', before)).status).toBe(200);
      const fetches = oidc.jwksFetches;

      await oidc.rotate({ keepPrevious: false });
      const after = await external({ sub });

      expect((await get('/v1/me', after)).status).toBe(200);
      expect(oidc.jwksFetches).toBe(fetches + 1);
    });
  });
});
