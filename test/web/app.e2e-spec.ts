import { MarketKeys, SYMBOLS } from '@bourse/market-data';
import { createRedis, hotp, totpStep } from '@bourse/platform';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ledgerOf } from '../factories/ledger';
import { base32Decode } from '../factories/two-factor';
import { signedInUser, uniqueEmail, type SignedInUser } from '../factories/users';
import { createApiApp } from '../../apps/api/src/api.app';
import { LogCapture, startApi, testConfig, TestServer } from '../setup/apps';
import { startWorker } from '../setup/worker';
import {
  ARTIFACTS,
  collectConsoleErrors,
  ensureWebBuild,
  eventually,
  launchChromium,
  type ConsoleProblem,
} from './browser';

// The live feed writes ticks to the run's shared database, keyed by (symbol, seq): a seq range
// no other spec's feed reaches keeps this file's ticks (and so its bars) its own.
const SEQ_START = 8_000_000_000_000;
const PREFIX = `${process.env.REDIS_KEY_PREFIX}-web`;
const LIVE = { REDIS_KEY_PREFIX: PREFIX, MARKET_PROVIDER: 'simulated' };

let api: TestServer;
let worker: TestServer;
let browser: Browser;
let page: Page;
let errors: ConsoleProblem[];
let user: SignedInUser;
let admin: SignedInUser;
// Failures the tests cause on purpose: Chromium logs each as a console error.
const expectedErrors: ((problem: ConsoleProblem) => boolean)[] = [];
const refused =
  (status: number, path: string) =>
  ({ text, url }: ConsoleProblem): boolean =>
    text.includes(`status of ${status}`) && new URL(url).pathname === path;
// Socket.IO frames the page sent, e.g. `42/prices,3["subscribe",{"symbols":["XAUUSD"]}]`.
const sentFrames: string[] = [];

beforeAll(async () => {
  ensureWebBuild();
  const redis = createRedis(testConfig({ REDIS_KEY_PREFIX: PREFIX }), 'web-spec');
  await redis.mset(Object.fromEntries(SYMBOLS.map((s) => [MarketKeys.seq(s.symbol), SEQ_START])));
  await redis.quit();
  api = await startApi(LIVE);
  worker = await startWorker({ ...LIVE, MARKET_SIM_TICKS_PER_SECOND: '10' });
  user = await signedInUser(api);
  admin = await signedInUser(api, { role: 'admin' });
  await fundWallet(user.id, 1250n, 200n);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  errors = collectConsoleErrors(page);
  page.on('websocket', (socket) =>
    socket.on('framesent', ({ payload }) => sentFrames.push(String(payload))),
  );
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await worker?.close();
  await api?.close();
});

/** The user's USD wallet (one per user and asset): `amount` cents deposited, `held` of it on hold. */
async function fundWallet(owner: string, amount: bigint, held: bigint): Promise<void> {
  const ledger = ledgerOf(api.app);
  const wallet = await ledger.accounts.ensureWallet(owner, 'USD');
  const clearing = await ledger.accounts.ensureSystemAccount('psp_clearing', 'USD');
  await ledger.transfers.transfer({
    id: randomUUID(),
    debitAccountId: clearing.id,
    creditAccountId: wallet.id,
    amount,
    asset: 'USD',
    code: 'deposit',
  });
  await ledger.transfers.transfer({
    id: randomUUID(),
    debitAccountId: wallet.id,
    creditAccountId: clearing.id,
    amount: held,
    asset: 'USD',
    code: 'order.hold',
    pending: true,
    timeoutSeconds: 3600,
  });
}

async function signIn(who: { email: string; password: string }): Promise<void> {
  await page.goto(`${api.url}/app/sign-in`);
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

const shot = (name: string) =>
  page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });

it('says why a sign-in failed', async () => {
  expectedErrors.push(refused(401, '/v1/auth/login'));
  await signIn({ email: user.email, password: 'not the password at all' });
  await expect(page.getByRole('alert').textContent()).resolves.toMatch(/incorrect/i);
  await shot('sign-in');
});

it('registers a new account, signed in at once, and signs out', async () => {
  const email = uniqueEmail();
  await page.goto(`${api.url}/app/register`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('a long enough password');
  await page.getByRole('button', { name: 'Register' }).click();
  await page.getByTestId('user-email').waitFor();
  expect(await page.getByTestId('user-email').textContent()).toBe(email);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
  expect(new URL(page.url()).pathname).toBe('/app/sign-in');
});

it('signs in, then shows a live tick arriving and the last bar changing', async () => {
  await signIn(user);
  await page.getByTestId('user-email').waitFor();
  expect(await page.getByTestId('user-email').textContent()).toBe(user.email);
  const price = page.locator('[data-testid=price-XAUUSD][data-seq]');
  await price.waitFor();
  const seq = async () => Number(await price.getAttribute('data-seq'));
  const firstSeq = await seq();
  expect(firstSeq).toBeGreaterThan(SEQ_START);
  const lastBar = page.getByTestId('last-bar');
  await lastBar.waitFor();
  const firstBar = await lastBar.textContent();

  expect(await eventually(seq, (s) => s > firstSeq)).toBeGreaterThan(firstSeq);
  expect(
    await eventually(
      () => lastBar.textContent(),
      (t) => t !== firstBar,
    ),
  ).not.toBe(firstBar);
  await shot('markets');
});

const subscribeFrames = (symbols: string[]) =>
  sentFrames.filter((frame) => frame.includes(`"subscribe",${JSON.stringify({ symbols })}`)).length;

it('asks for a fresh snapshot of a symbol whose seq jumps', async () => {
  const before = subscribeFrames(['XAUUSD']);
  // As if five XAUUSD ticks were lost on their way: the next one arrives with seq + 6.
  const redis = createRedis(testConfig({ REDIS_KEY_PREFIX: PREFIX }), 'web-spec-gap');
  await redis.incrby(MarketKeys.seq('XAUUSD'), 5);
  await redis.quit();

  expect(
    await eventually(
      async () => subscribeFrames(['XAUUSD']),
      (n) => n > before,
    ),
  ).toBe(before + 1);
});

it('after the api comes back, subscribes again and refetches candles from its last bar', async () => {
  const { port } = new URL(api.url);
  const allSymbols = SYMBOLS.map((s) => s.symbol);
  const subscribed = subscribeFrames(allSymbols);
  const refetch = page.waitForRequest(
    (request) =>
      request.url().includes('/v1/market/candles?') &&
      new URL(request.url()).searchParams.has('from'),
    { timeout: 20_000 },
  );
  expectedErrors.push(({ text }) =>
    /WebSocket connection to 'ws:.*\/socket\.io\/.*' failed/.test(text),
  );
  await api.close();
  await page.getByText('connecting…').waitFor();

  // The same port, as a restarted node behind the same address.
  const config = testConfig(LIVE);
  const logs = new LogCapture();
  const app = await createApiApp(config, { logDestination: logs });
  await app.listen({ port: Number(port), host: '127.0.0.1' });
  api = new TestServer(app, api.url, config, logs);

  const request = await refetch;
  await page.getByText('live', { exact: true }).waitFor({ timeout: 20_000 });
  expect(subscribeFrames(allSymbols)).toBe(subscribed + 1);
  const lastBar = Number(new URL(request.url()).searchParams.get('from'));
  expect(lastBar).toBeGreaterThan(Date.now() / 1000 - 120);
  const price = page.locator('[data-testid=price-XAUUSD][data-seq]');
  const seq = async () => Number(await price.getAttribute('data-seq'));
  const now = await seq();
  expect(await eventually(seq, (s) => s > now)).toBeGreaterThan(now);
});

it('shows the wallet balance by its asset scale, the deposit in the statement and the hold', async () => {
  await page.getByRole('link', { name: 'Wallet' }).click();
  const available = page.getByTestId('available-USD');
  await available.waitFor();
  expect(await available.textContent()).toBe('10.50 USD');
  const statement = page.getByTestId('statement');
  await statement.getByText('deposit').waitFor();
  expect(await statement.locator('tbody tr').count()).toBe(1);
  expect(await statement.locator('tbody tr').textContent()).toContain('+12.50 USD');
  const holds = page.getByTestId('holds');
  await holds.getByText('order.hold').waitFor();
  expect(await holds.locator('tbody tr').textContent()).toContain('2.00 USD');
  await shot('wallet');
});

it('refreshes a refused access token quietly, once, and carries on', async () => {
  // The stored access token no longer verifies (as when it expired); the refresh token is good.
  await page.evaluate(`(() => {
    const session = JSON.parse(sessionStorage.getItem('bourse.session'));
    session.accessToken = 'x' + session.accessToken;
    sessionStorage.setItem('bourse.session', JSON.stringify(session));
  })()`);
  expectedErrors.push(refused(401, '/v1/wallets'), refused(401, '/v1/assets'));
  const refreshes: string[] = [];
  page.on('request', (request) => {
    if (request.url().endsWith('/v1/auth/refresh')) {
      refreshes.push(request.url());
    }
  });
  await page.reload();

  await page.getByTestId('available-USD').waitFor();
  expect(await page.getByTestId('available-USD').textContent()).toBe('10.50 USD');
  expect(await page.getByTestId('user-email').textContent()).toBe(user.email);
  // Two requests were refused at once; one refresh served both (a refresh token is single use).
  expect(refreshes).toHaveLength(1);
});

it("lets an admin freeze a user's account and shows it in the audit trail", async () => {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
  await signIn(admin);
  await page.getByRole('link', { name: 'Operations' }).click();
  await page.getByLabel('User email').fill(user.email);
  await page.getByLabel('Reason (kept in the audit trail)').fill('browser test');
  await page.getByRole('button', { name: 'Find' }).click();
  await page.getByRole('button', { name: 'Freeze' }).click();
  await page.getByRole('button', { name: 'Unfreeze' }).waitFor();
  await page.getByTestId('audit').getByText('ledger_account.freeze').first().waitFor();
  await shot('admin');
});

it('sends a user whose session was revoked to sign in', async () => {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
  await signIn(user);
  await page.getByTestId('user-email').waitFor();
  // Disabling the user ends their sessions: the access token and the refresh token are refused.
  const disabled = await api.request('POST', `/v1/admin/users/${user.id}/disable`, {
    token: admin.accessToken,
    body: { reason: 'browser test' },
  });
  expect(disabled.status).toBe(200);
  expectedErrors.push(
    refused(401, '/v1/wallets'),
    refused(401, '/v1/assets'),
    refused(401, '/v1/auth/refresh'),
  );

  await page.getByRole('link', { name: 'Wallet' }).click();
  await page.getByText('Your session has ended. Please sign in again.').waitFor();
  expect(new URL(page.url()).pathname).toBe('/app/sign-in');
});

it('turns two-factor on from the Security page, then signs in with a recovery code', async () => {
  const owner = await signedInUser(api);
  await signIn(owner);
  await page.getByTestId('user-email').waitFor();
  await page.getByRole('link', { name: 'Security' }).click();
  await page.getByRole('button', { name: 'Turn on' }).click();
  const secret = base32Decode((await page.getByTestId('totp-secret').textContent())!);
  await page.getByLabel('Code from the authenticator app').fill(hotp(secret, totpStep(Date.now())));
  await page.getByRole('button', { name: 'Confirm' }).click();
  const codes = page.getByTestId('recovery-codes').locator('code');
  await codes.first().waitFor();
  expect(await codes.count()).toBe(10);
  await shot('two-factor');
  const recoveryCode = (await codes.first().textContent())!;
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
  expectedErrors.push(refused(403, '/v1/auth/login'));

  await signIn(owner);
  await page.getByLabel('Code from the authenticator app (or a recovery code)').fill(recoveryCode);
  await page.getByRole('button', { name: 'Sign in' }).click();

  await page.getByTestId('user-email').waitFor();
  expect(await page.getByTestId('user-email').textContent()).toBe(owner.email);
});

it('logged no console errors but the failures the tests caused', () => {
  expect(errors.filter((problem) => !expectedErrors.some((expected) => expected(problem)))).toEqual(
    [],
  );
});
