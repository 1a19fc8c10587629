import { StatementsService } from '@bourse/ledger';
import { dataSourceOptions } from '@bourse/platform';
import type { Browser, Page } from 'playwright-core';
import Stripe from 'stripe';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { StripeSimulator } from '../../simulators/stripe/stripe.simulator';
import { signedInUser, type SignedInUser } from '../factories/users';
import { startApi, testConfig, type TestServer } from '../setup/apps';
import { adminQuery, TEST_DB_ENV, testDatabaseUrl } from '../setup/test-env';
import { startWorker } from '../setup/worker';
import { collectConsoleErrors, ensureWebBuild, eventually, launchChromium } from './browser';

// The worker applies every Stripe event in the inbox of its database: this file's own database
// and Redis prefix.
const DATABASE = `${process.env[TEST_DB_ENV]}_web_payments`;
const SECRET_KEY = 'sk_test_web_payments_spec';
const WEBHOOK_SECRET = 'whsec_web_payments_spec';

/**
 * The Deposit page in Chromium against the api, the worker and the Stripe simulator. The page
 * talks to our api only (its CSP allows its own origin alone), so the card confirmation that
 * Stripe.js would send from the payer's browser is sent here, with the client secret the page
 * shows, by Stripe's SDK to the simulator; the simulator's signed webhook does the rest.
 */
describe('web: the Deposit page', () => {
  let stripeSim: StripeSimulator;
  let db: DataSource;
  let api: TestServer;
  let worker: TestServer;
  let browser: Browser;
  let page: Page;
  let user: SignedInUser;
  let stripe: Stripe;

  beforeAll(async () => {
    ensureWebBuild();
    stripeSim = new StripeSimulator({ secretKey: SECRET_KEY, webhookSecret: WEBHOOK_SECRET });
    await stripeSim.start();
    const env = {
      DATABASE_URL: testDatabaseUrl(DATABASE),
      REDIS_KEY_PREFIX: `${process.env.REDIS_KEY_PREFIX}-web-payments`,
      OUTBOX_RELAY_INTERVAL_MS: '20',
      PAYMENTS_STRIPE_API_URL: stripeSim.url,
      PAYMENTS_STRIPE_SECRET_KEY: SECRET_KEY,
      PAYMENTS_STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    };
    await adminQuery(`CREATE DATABASE ${DATABASE}`);
    db = new DataSource(
      dataSourceOptions({ ...testConfig(env).database, poolSize: 2 }, { migrations: MIGRATIONS }),
    );
    await db.initialize();
    await db.runMigrations();
    [api, worker] = await Promise.all([startApi(env), startWorker(env)]);
    stripeSim.options.webhookUrl = `${api.url}/v1/webhooks/stripe`;
    const simulator = new URL(stripeSim.url);
    stripe = new Stripe(SECRET_KEY, {
      host: simulator.hostname,
      port: simulator.port,
      protocol: 'http',
      maxNetworkRetries: 0,
    });
    user = await signedInUser(api);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await worker?.close();
    await api?.close();
    await stripeSim?.stop();
    await db?.destroy();
    await adminQuery(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
  });

  it('deposits by card and shows the credited balance without a reload', async () => {
    const problems = collectConsoleErrors(page);
    await page.goto(`${api.url}/app/sign-in`);
    await page.getByLabel('Email').fill(user.email);
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: 'Deposit' }).click();
    const balance = page.getByTestId('deposit-balance');
    await eventually(
      () => balance.textContent(),
      (t) => t === 'Wallet balance: 0.00 USD',
    );
    // Survives only as long as the document does: gone if anything reloaded the page.
    await page.evaluate(() => Object.assign(globalThis, { notReloaded: true }));

    // An amount the asset cannot hold is refused before anything is sent.
    await page.getByLabel('Amount').fill('1.234');
    await page.getByRole('button', { name: 'Deposit' }).click();
    expect(await page.getByRole('alert').textContent()).toBe(
      'amount: a positive amount of USD, at most 2 decimals',
    );

    // One the api refuses: its problem+json, naming the field, is what the page shows.
    await page.getByLabel('Amount').fill('100000000000000000000');
    await page.getByRole('button', { name: 'Deposit' }).click();
    expect(
      await eventually(
        () => page.getByRole('alert').textContent(),
        (t) => t?.includes('amount') === true && !t.startsWith('amount: a positive'),
      ),
    ).toBe(
      'Invalid request: amount · amount: amount must be a positive integer of at most 19 digits without a leading zero',
    );

    await page.getByLabel('Amount').fill('12.50');
    await page.getByLabel('Card').check();
    await page.getByRole('button', { name: 'Deposit' }).click();
    const secret = (await page.getByTestId('card-confirmation').locator('code').textContent())!;
    expect(secret).toMatch(/^pi_\w+_secret_\w+$/);
    const row = page.getByTestId('payments').locator('tbody tr');
    await row.first().waitFor();
    expect(await row.count()).toBe(1);
    expect(await row.locator('td').allTextContents()).toEqual([
      expect.any(String),
      'stripe',
      '12.50 USD',
      '0.00 USD',
      'requires_action',
    ]);

    // What Stripe.js does in the payer's browser: confirm the intent with a test card.
    await stripe.paymentIntents.confirm(secret.split('_secret_')[0]!, {
      payment_method: 'pm_card_visa',
    });

    expect(
      await eventually(
        () => balance.textContent(),
        (t) => t === 'Wallet balance: 12.50 USD',
        30_000,
      ),
    ).toBe('Wallet balance: 12.50 USD');
    expect((await row.locator('td').allTextContents()).slice(1)).toEqual([
      'stripe',
      '12.50 USD',
      '12.50 USD',
      'succeeded',
    ]);
    expect(await page.evaluate(() => (globalThis as { notReloaded?: boolean }).notReloaded)).toBe(
      true,
    );
    // Chromium logs the refused request, and nothing else went wrong.
    expect(problems).toEqual([
      {
        text: 'Failed to load resource: the server responded with a status of 400 (Bad Request)',
        url: `${api.url}/v1/payments`,
      },
    ]);
    expect((await api.app.get(StatementsService).verifyInvariants()).ok).toBe(true);
  }, 120_000);
});
