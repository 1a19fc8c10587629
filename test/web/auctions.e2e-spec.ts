import { Database } from '@bourse/platform';
import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { closeNow, createAuction, expire, fund } from '../factories/auctions';
import { ledgerOf } from '../factories/ledger';
import { signedInUser, type SignedInUser } from '../factories/users';
import { startApi, type TestServer } from '../setup/apps';
import { collectConsoleErrors, ensureWebBuild, eventually, launchChromium } from './browser';

const seconds = (text: string | null): number => Number(/^(\d+) s$/.exec(text ?? '')?.[1] ?? NaN);

/**
 * The Auctions page in Chromium against the api: a lot opened from the list, its countdown from
 * the join snapshot's server clock, a bid over the socket accepted live, a too-low bid refused
 * inline with the new minimum, another bidder's REST bid (which extends the lot) and the close
 * seen live.
 */
describe('web: the Auctions page', () => {
  let api: TestServer;
  let browser: Browser;
  let page: Page;
  let user: SignedInUser;
  let rival: SignedInUser;

  beforeAll(async () => {
    ensureWebBuild();
    api = await startApi();
    [user, rival] = await Promise.all([signedInUser(api), signedInUser(api)]);
    await fund(ledgerOf(api.app), user.id, 1_000_000n);
    await fund(ledgerOf(api.app), rival.id, 1_000_000n);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    if (api) {
      expect(await ledgerOf(api.app).statements.verifyInvariants()).toMatchObject({ ok: true });
    }
    await api?.close();
  });

  it('bids live, shows a refusal’s minimum inline and follows another bidder’s extension and the close', async () => {
    const admin = await signedInUser(api, { role: 'admin' });
    const title = `Lot ${randomUUID().slice(0, 8)}`;
    // Ends in 60 s unless bid on; every accepted bid moves the end to 120 s after it.
    const lot = await createAuction(api, admin, {
      title,
      description: 'A 1967 roadster',
      durationSeconds: 60,
      extendSeconds: 120,
    });
    const errors = collectConsoleErrors(page);

    await page.goto(`${api.url}/app/sign-in`);
    await page.getByLabel('Email').fill(user.email);
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('user-email').waitFor();
    await page.getByRole('link', { name: 'Auctions' }).click();
    await page.getByRole('button', { name: title }).click();
    await page.getByRole('heading', { name: title }).waitFor();

    const countdown = page.getByTestId('countdown');
    const highest = page.getByTestId('lot-highest');
    const answer = page.getByTestId('bid-answer');
    const left = seconds(
      await eventually(
        () => countdown.textContent(),
        (t) => /^\d+ s$/.test(t ?? ''),
      ),
    );
    expect(left).toBeGreaterThan(30);
    expect(left).toBeLessThanOrEqual(60);
    expect(await highest.textContent()).toBe('no bid yet');

    const amount = page.getByLabel(/^Your bid/);
    await amount.fill('100.00');
    await page.getByRole('button', { name: 'Bid', exact: true }).click();
    await answer.getByText('Bid accepted: 100.00 USD').waitFor();
    expect(
      await eventually(
        () => highest.textContent(),
        (t) => t === '100.00 USD (you lead)',
      ),
    ).toBe('100.00 USD (you lead)');
    expect(await page.getByTestId('lot-bids').textContent()).toBe('1');
    // The bid moved the end to 120 s after it.
    expect(seconds(await countdown.textContent())).toBeGreaterThan(100);

    // 100.00 + the 5.00 step of its band: 100.50 is below the minimum.
    await amount.fill('100.50');
    await page.getByRole('button', { name: 'Bid', exact: true }).click();
    expect(
      await eventually(
        () => answer.textContent(),
        (t) => t?.startsWith('422') ?? false,
      ),
    ).toBe('422: The bid must be at least 10500 · minimum now 105.00 USD');
    expect(await page.getByLabel(/^Your bid/).getAttribute('name')).toBe('amount');
    expect(await page.getByText('Your bid (USD, at least 105.00)').count()).toBe(1);

    // Let the countdown run a little, so the rival's extension shows as a jump back up.
    const before = seconds(
      await eventually(
        () => countdown.textContent(),
        (t) => seconds(t) <= 116,
        20_000,
      ),
    );
    const res = await api.request('POST', `/v1/auctions/${lot.id}/bids`, {
      token: rival.accessToken,
      body: { amount: '20000', seenHighest: '10000', clientBidId: randomUUID() },
    });
    expect(res.status).toBe(201);
    expect(
      await eventually(
        () => highest.textContent(),
        (t) => t === '200.00 USD',
      ),
    ).toBe('200.00 USD');
    expect(await page.getByTestId('lot-bids').textContent()).toBe('2');
    expect(seconds(await countdown.textContent())).toBeGreaterThan(before + 2);
    expect(await page.getByText('Your bid (USD, at least 205.00)').count()).toBe(1);

    // Time runs out at the server; the close reaches the page by itself.
    await expire(api.app.get(Database), lot.id);
    await closeNow(api, lot.id);
    expect(
      await eventually(
        () => page.getByTestId('lot-status').textContent(),
        (t) => t === 'closed (sold)',
      ),
    ).toBe('closed (sold)');
    expect(await countdown.textContent()).toBe('closed');
    expect(await page.getByRole('button', { name: 'Bid', exact: true }).count()).toBe(0);
    expect(errors).toEqual([]);
  }, 120_000);
});
