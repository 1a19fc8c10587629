import { StatementsService } from '@bourse/ledger';
import { PaymentsService } from '@bourse/payments';
import { dataSourceOptions, rows } from '@bourse/platform';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { ledgerOf } from '../factories/ledger';
import { MIGRATIONS } from '../../migrations';
import { PayPalSimulator } from '../../simulators/paypal/paypal.simulator';
import { signedInUser, type SignedInUser } from '../factories/users';
import { startApi, testConfig, type TestServer } from '../setup/apps';
import { adminQuery, TEST_DB_ENV, testDatabaseUrl } from '../setup/test-env';
import { startWorker } from '../setup/worker';

// The worker applies every PayPal event of its database's inbox: a database of this file's own.
const DATABASE = `${process.env[TEST_DB_ENV]}_paypal`;

interface PaymentBody {
  id: string;
  state: string;
  captured: string;
  refunded: string;
  approvalUrl: string | null;
}

async function waitFor<T>(probe: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await probe();
    if (done(value)) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`condition not met within 15 s; last value ${JSON.stringify(value)}`);
    }
    await sleep(25);
  }
}

describe('payments through PayPal (the simulator over HTTP, real inbox, worker and ledger)', () => {
  let paypal: PayPalSimulator;
  let api: TestServer;
  let worker: TestServer;
  let db: DataSource;
  let payer: SignedInUser;
  let admin: SignedInUser;

  const query = <T>(sql: string, params: unknown[] = []) => rows<T>(db.manager, sql, params);
  const pay = async (body: Record<string, unknown> = {}) => {
    const res = await api.request<PaymentBody>('POST', '/v1/payments', {
      token: payer.accessToken,
      body: {
        amount: '2500',
        asset: 'USD',
        purpose: 'wallet_deposit',
        provider: 'paypal',
        ...body,
      },
    });
    expect(res.status).toBe(201);

    return res.body;
  };
  /** The payer clicks "Pay" on PayPal's approval page. */
  const approve = async (payment: PaymentBody) => {
    const res = await fetch(payment.approvalUrl!);
    expect(res.status).toBe(200);
  };
  const read = async (payment: PaymentBody) =>
    (
      await api.request<PaymentBody>('GET', `/v1/payments/${payment.id}`, {
        token: payer.accessToken,
      })
    ).body;
  const balance = async () => {
    const ledger = ledgerOf(api.app);

    return (await ledger.accounts.getAccount(
      (await ledger.accounts.ensureWallet(payer.id, 'USD')).id,
    ))!.balance.posted;
  };
  const transfersOf = (payment: PaymentBody) =>
    query<{ code: string; amount: string }>(
      `SELECT code, amount FROM ledger_transfers WHERE metadata->>'paymentId' = $1 ORDER BY created_at, id`,
      [payment.id],
    );
  const drained = async () => {
    await paypal.settled();
    await waitFor(
      () =>
        query<{ n: number }>(
          `SELECT count(*)::int AS n FROM inbox WHERE provider = 'paypal' AND processed_at IS NULL`,
        ),
      ([row]) => row!.n === 0,
    );
  };
  const waitState = (payment: PaymentBody, state: string) =>
    waitFor(
      () => read(payment),
      (body) => body.state === state,
    );

  beforeAll(async () => {
    await adminQuery(`CREATE DATABASE ${DATABASE}`);
    paypal = new PayPalSimulator({
      clientId: 'spec-client',
      clientSecret: 'spec-secret',
      webhookId: 'WH-SPEC',
    });
    await paypal.start();
    const env = {
      DATABASE_URL: testDatabaseUrl(DATABASE),
      REDIS_KEY_PREFIX: `${process.env.REDIS_KEY_PREFIX}-paypal`,
      OUTBOX_RELAY_INTERVAL_MS: '20',
      PAYMENTS_PAYPAL_API_URL: paypal.url,
      PAYMENTS_PAYPAL_CLIENT_ID: 'spec-client',
      PAYMENTS_PAYPAL_CLIENT_SECRET: 'spec-secret',
      PAYMENTS_PAYPAL_WEBHOOK_ID: 'WH-SPEC',
    };
    db = new DataSource(
      dataSourceOptions({ ...testConfig(env).database, poolSize: 2 }, { migrations: MIGRATIONS }),
    );
    await db.initialize();
    await db.runMigrations();
    api = await startApi(env);
    worker = await startWorker(env);
    paypal.options.webhookUrl = `${api.url}/v1/webhooks/paypal`;
    [payer, admin] = await Promise.all([signedInUser(api), signedInUser(api, { role: 'admin' })]);
  });
  afterEach(async () => {
    await drained();
    // Every scenario leaves the ledger balanced, with balances equal to their entries.
    expect((await api.app.get(StatementsService).verifyInvariants()).ok).toBe(true);
  });
  afterAll(async () => {
    await worker?.close();
    await api?.close();
    await paypal?.stop();
    await db?.destroy();
    await adminQuery(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
  });

  it('credits the wallet once the payer approved and the order was captured, each event sent twice', async () => {
    paypal.copies = 2;
    const before = await balance();

    const created = await pay();
    expect(created.state).toBe('requires_action');
    expect(created.approvalUrl).toMatch(/\/checkoutnow\?token=\w+$/);
    await approve(created);
    const settled = await waitState(created, 'succeeded');
    await drained();

    expect(settled).toMatchObject({ captured: '2500', refunded: '0' });
    expect((await balance()) - before).toBe(2500n);
    expect(await transfersOf(created)).toEqual([{ code: 'payment.capture', amount: '2500' }]);
    expect(paypal.events.map((event) => event.event_type)).toEqual(
      expect.arrayContaining(['CHECKOUT.ORDER.APPROVED', 'PAYMENT.CAPTURE.COMPLETED']),
    );

    const refund = await api.request('POST', `/v1/payments/${created.id}/refunds`, {
      token: admin.accessToken,
      body: { amount: '1000' },
    });
    expect(refund.status).toBe(201);
    await drained();
    expect(await read(created)).toMatchObject({ refunded: '1000' });
    expect((await balance()) - before).toBe(1500n);
    paypal.copies = 1;
  });

  it('authorizes a manual payment, captures part then the rest, and refuses more', async () => {
    const payments = api.app.get(PaymentsService);
    const before = await balance();
    const created = await pay({ amount: '1000', captureMode: 'manual' });
    await approve(created);
    await waitState(created, 'requires_capture');

    expect(await payments.capture(created.id, { amount: 300n, final: false })).toMatchObject({
      state: 'requires_capture',
      captured: 300n,
    });
    await expect(payments.capture(created.id, { amount: 701n })).rejects.toMatchObject({
      code: 'payments.amount_too_large',
    });
    expect(await payments.capture(created.id)).toMatchObject({
      state: 'succeeded',
      captured: 1000n,
    });
    await drained();

    expect((await balance()) - before).toBe(1000n);
    expect(await transfersOf(created)).toEqual([
      { code: 'payment.capture', amount: '300' },
      { code: 'payment.capture', amount: '700' },
    ]);
  });

  it('refuses deliveries PayPal did not sign, or signed too long ago, storing nothing', async () => {
    const event = {
      id: `WH-${randomUUID()}`,
      event_version: '1.0',
      create_time: new Date().toISOString(),
      resource_type: 'checkout-order',
      event_type: 'CHECKOUT.ORDER.APPROVED',
      summary: 'forged',
      resource: { id: 'NOPE' },
    };
    const body = JSON.stringify(event);
    const deliver = (text: string, headers: Record<string, string>) =>
      api.request('POST', '/v1/webhooks/paypal', { body: text, headers });
    const old = new Date(Date.now() - 301_000).toISOString();

    const answers = [
      await deliver(body, paypal.signedHeaders(body, undefined, 'WH-SOMEONE-ELSE')),
      await deliver(body, paypal.signedHeaders(body, old)),
      await deliver(body.replace('forged', 'edited'), paypal.signedHeaders(body)),
      await deliver(body, {}),
    ];

    for (const answer of answers) {
      expect(answer.status).toBe(400);
      expect(answer.body.code).toBe('inbox.invalid_signature');
    }
    expect(await query(`SELECT 1 FROM inbox WHERE event_id = $1`, [event.id])).toEqual([]);
    // Genuinely signed, it is stored (and changes nothing: no payment has that order).
    expect((await deliver(body, paypal.signedHeaders(body))).status).toBe(200);
  });
});
