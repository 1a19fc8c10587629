import { dataSourceOptions } from '@bourse/platform';
import { SIMULATOR_CREDENTIALS } from '@bourse/storage';
import { randomBytes, randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { CustodySimulator } from '../../simulators/custody/custody.simulator';
import { S3Simulator } from '../../simulators/s3/s3.simulator';
import { SumsubSimulator } from '../../simulators/sumsub/sumsub.simulator';
import { ledgerOf } from '../factories/ledger';
import { signedInUser, type SignedInUser } from '../factories/users';
import { startApi, testConfig, type TestServer } from '../setup/apps';
import { adminQuery, TEST_DB_ENV, testDatabaseUrl } from '../setup/test-env';
import { startWorker } from '../setup/worker';
import { collectConsoleErrors, ensureWebBuild, eventually, launchChromium } from './browser';

// Live simulated ticks, the outbox relay and the vendor's results: a database and Redis prefix
// of this file's own.
const DATABASE = `${process.env[TEST_DB_ENV]}_web_gold`;

const BUCKET = 'gold-spec-uploads';

/**
 * The Gold page in Chromium against the api, the worker (live simulated prices) and the S3,
 * Sumsub and custody simulators: a passport uploaded from the page straight to the bucket (the
 * app's CSP names the bucket's origin, the simulator answers CORS as a bucket rule does), KYC
 * approved by the vendor, a bought gram at a live quote, holdings revalued as the price moves.
 */
describe('web: the Gold page', () => {
  let s3: S3Simulator;
  let sumsub: SumsubSimulator;
  let custody: CustodySimulator;
  let db: DataSource;
  let api: TestServer;
  let worker: TestServer;
  let browser: Browser;
  let page: Page;
  let user: SignedInUser;

  beforeAll(async () => {
    ensureWebBuild();
    sumsub = new SumsubSimulator({
      appToken: 'sbx:gold-spec',
      secretKey: 'gold-spec-secret',
      webhookSecret: 'gold-spec-webhook-secret',
      reviewDelayMs: 100,
    });
    custody = new CustodySimulator({ apiKey: 'gold-spec-custody', account: 'GOLD-SPEC' });
    s3 = new S3Simulator({
      credentials: [SIMULATOR_CREDENTIALS],
      region: 'us-east-1',
      buckets: [BUCKET],
    });
    await Promise.all([sumsub.start(), custody.start(), s3.start()]);
    const env = {
      DATABASE_URL: testDatabaseUrl(DATABASE),
      REDIS_KEY_PREFIX: `${process.env.REDIS_KEY_PREFIX}-web-gold`,
      OUTBOX_RELAY_INTERVAL_MS: '20',
      STORAGE_S3_ENDPOINT: s3.url,
      STORAGE_S3_BUCKET: BUCKET,
      MARKET_PROVIDER: 'simulated',
      MARKET_SIM_TICKS_PER_SECOND: '5',
      KYC_VENDOR: 'sumsub',
      KYC_SUMSUB_API_URL: sumsub.url,
      KYC_SUMSUB_APP_TOKEN: 'sbx:gold-spec',
      KYC_SUMSUB_SECRET_KEY: 'gold-spec-secret',
      KYC_SUMSUB_WEBHOOK_SECRET: 'gold-spec-webhook-secret',
      TRADING_CUSTODY_API_URL: custody.url,
      TRADING_CUSTODY_API_KEY: 'gold-spec-custody',
      TRADING_CUSTODY_ACCOUNT: 'GOLD-SPEC',
    };
    await adminQuery(`CREATE DATABASE ${DATABASE}`);
    db = new DataSource(
      dataSourceOptions({ ...testConfig(env).database, poolSize: 2 }, { migrations: MIGRATIONS }),
    );
    await db.initialize();
    await db.runMigrations();
    [api, worker] = await Promise.all([startApi(env), startWorker(env)]);
    sumsub.options.webhookUrl = `${api.url}/webhooks/sumsub`;
    user = await signedInUser(api);
    const ledger = ledgerOf(api.app);
    const clearing = await ledger.accounts.ensureSystemAccount('psp_clearing', 'USD');
    await ledger.transfers.transfer({
      id: randomUUID(),
      debitAccountId: clearing.id,
      creditAccountId: (await ledger.accounts.ensureWallet(user.id, 'USD')).id,
      amount: 1_000_000n,
      asset: 'USD',
      code: 'deposit',
    });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await worker?.close();
    await api?.close();
    await Promise.all([sumsub?.stop(), custody?.stop(), s3?.stop()]);
    await db?.destroy();
    await adminQuery(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
  });

  it('uploads a passport, passes KYC against the vendor simulator, buys a gram at a live quote and revalues it', async () => {
    const passport = await sharp(randomBytes(64 * 64 * 3), {
      raw: { width: 64, height: 64, channels: 3 },
    })
      .png()
      .toBuffer();
    // A connection the CSP blocks, or a CORS refusal, shows as a console error.
    const problems = collectConsoleErrors(page);

    await page.goto(`${api.url}/app/sign-in`);
    await page.getByLabel('Email').fill(user.email);
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: 'Gold' }).click();
    const state = page.getByTestId('kyc-state');
    await eventually(
      () => state.textContent(),
      (t) => t?.includes('not started') ?? false,
    );

    await page.getByPlaceholder('First name').fill('Grace');
    await page.getByPlaceholder('Last name').fill('Hopper');
    await page.getByPlaceholder('Country (GB)').fill('US');
    await page.getByPlaceholder('National id').fill('123-45-6789');
    await page.locator('input[name="birthDate"]').fill('1986-12-09');
    await page.getByRole('button', { name: 'Save' }).click();
    await eventually(
      () => state.textContent(),
      (t) => t?.includes('collecting') ?? false,
    );
    await page.getByLabel('Document', { exact: true }).selectOption('PASSPORT');
    await page.getByLabel('Side', { exact: true }).selectOption('single');
    await page
      .getByLabel('File', { exact: true })
      .setInputFiles({ name: 'passport.png', mimeType: 'image/png', buffer: passport });
    await page.getByRole('button', { name: 'Upload' }).click();
    await page.getByTestId('kyc-documents').getByText('Passport (single)').waitFor();
    const stored = [...s3.objects.entries()].filter(([key]) => key.startsWith(`${BUCKET}/`));
    expect(stored).toHaveLength(1);
    expect(stored[0]![1]).toMatchObject({ body: passport, contentType: 'image/png' });
    expect(problems).toEqual([]);
    await page.getByRole('button', { name: 'Submit for review' }).click();

    expect(
      await eventually(
        () => state.textContent(),
        (t) => t?.includes('approved') ?? false,
        30_000,
      ),
    ).toBe('KYC: approved · tier basic');
    const applicant = sumsub.byExternalUserId(user.id);
    expect(applicant?.fixedInfo).toMatchObject({ lastName: 'Hopper' });
    expect(applicant?.idDocs).toEqual([
      expect.objectContaining({ idDocType: 'PASSPORT', size: passport.length }),
    ]);

    await page.getByRole('button', { name: 'Quote' }).click();
    const buy = page.getByRole('button', { name: /^Buy · \d+ s$/ });
    await buy.waitFor();
    await buy.click();
    await page.getByText('Executed: buy 1.000 g').waitFor();

    const row = page.getByTestId('holdings').locator('tbody tr');
    await eventually(
      () => row.textContent(),
      (t) => t?.startsWith('XAU1.000') ?? false,
    );
    const valueCell = row.locator('td').nth(3);
    const first = await valueCell.textContent();
    // Revalued on the next ticks of the simulated feed.
    expect(
      await eventually(
        () => valueCell.textContent(),
        (value) => value !== first,
        30_000,
      ),
    ).not.toBe(first);
  }, 120_000);
});
