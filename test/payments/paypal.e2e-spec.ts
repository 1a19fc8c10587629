import { StatementsService } from '@bourse/ledger';
import { PaymentsService, ReconciliationService } from '@bourse/payments';
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
  fee: string;
  approvalUrl: string | null;
}

interface PayoutBody {
  id: string;
  ownerId: string;
  asset: string;
  amount: string;
  receiver: string;
  state: string;
  providerStatus: string | null;
  holdTransferId: string;
  createdAt: string;
  updatedAt: string;
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
  let other: SignedInUser;
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
  /** The payment's movements, captures and refunds then the fee of the same settlement. */
  const transfersOf = (payment: PaymentBody) =>
    query<{ code: string; amount: string }>(
      `SELECT code, amount FROM ledger_transfers WHERE metadata->>'paymentId' = $1
        ORDER BY created_at, code`,
      [payment.id],
    );
  const orderOf = (payment: PaymentBody) =>
    new URL(payment.approvalUrl!).searchParams.get('token')!;
  const disputesOf = (payment: PaymentBody) =>
    query<{ status: string; amount: string; reason: string; due: boolean }>(
      `SELECT status, amount::text, reason, evidence_due_by > now() + interval '9 days' AS due
         FROM payment_disputes WHERE payment_id = $1`,
      [payment.id],
    );
  const withdraw = (user: SignedInUser, body: Record<string, unknown>, headers = {}) =>
    api.request('POST', '/v1/payouts', {
      token: user.accessToken,
      headers,
      body: { amount: '1000', asset: 'USD', ...body },
    });
  const readPayout = async (id: string, user = payer) =>
    (await api.request<PayoutBody>('GET', `/v1/payouts/${id}`, { token: user.accessToken })).body;
  const waitPayout = (id: string, state: string) =>
    waitFor(
      () => readPayout(id),
      (body) => body.state === state,
    );
  const payoutTransfers = (payout: PayoutBody) =>
    query<{ code: string; amount: string; status: string }>(
      `SELECT code, amount, status FROM ledger_transfers WHERE metadata->>'payoutId' = $1
        ORDER BY created_at, code`,
      [payout.id],
    );
  const available = async () => {
    const ledger = ledgerOf(api.app);

    return (await ledger.accounts.getAccount(
      (await ledger.accounts.ensureWallet(payer.id, 'USD')).id,
    ))!.balance.available;
  };
  /** A deposit the payer approved and PayPal captured. */
  const deposit = async (amount: string) => {
    const created = await pay({ amount });
    await approve(created);
    await waitState(created, 'succeeded');

    return created;
  };
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
    [payer, other, admin] = await Promise.all([
      signedInUser(api),
      signedInUser(api),
      signedInUser(api, { role: 'admin' }),
    ]);
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

    // PayPal's fee (3.49 % + 49 cents, its seller_receivable_breakdown) is a leg of its own.
    expect(settled).toMatchObject({ captured: '2500', refunded: '0', fee: '136' });
    expect((await balance()) - before).toBe(2500n);
    expect(await transfersOf(created)).toEqual([
      { code: 'payment.capture', amount: '2500' },
      { code: 'payment.fee', amount: '136' },
    ]);
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
      { code: 'payment.fee', amount: '59' },
      { code: 'payment.capture', amount: '700' },
      { code: 'payment.fee', amount: '73' },
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

  it('reserves a disputed capture, then writes it off when PayPal decides for the buyer', async () => {
    const created = await deposit('900');
    await drained();
    const dispute = paypal.openDispute(orderOf(created));
    await drained();
    expect(await disputesOf(created)).toEqual([
      { status: 'open', amount: '900', reason: 'UNAUTHORISED', due: true },
    ]);

    // The seller accepts the claim (Customer Disputes API): the buyer keeps the money.
    const token = (await (
      await fetch(`${paypal.url}/v1/oauth2/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from('spec-client:spec-secret').toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: 'grant_type=client_credentials',
      })
    ).json()) as { access_token: string };
    const accepted = await fetch(
      `${paypal.url}/v1/customer/disputes/${dispute.dispute_id}/accept-claim`,
      { method: 'POST', headers: { authorization: `Bearer ${token.access_token}` } },
    );
    expect(accepted.status).toBe(200);
    await drained();

    expect((await disputesOf(created))[0]!.status).toBe('lost');
    expect(
      (await transfersOf(created)).filter((transfer) => transfer.code.includes('dispute')),
    ).toEqual([
      { code: 'payment.dispute_opened', amount: '900' },
      { code: 'payment.dispute_lost', amount: '900' },
    ]);
  });

  it('releases the reserve once when a dispute is decided for the seller, each event sent twice', async () => {
    const created = await deposit('400');
    await drained();
    paypal.copies = 2;
    const dispute = paypal.openDispute(orderOf(created), 'MERCHANDISE_OR_SERVICE_NOT_RECEIVED');
    await drained();
    paypal.resolveDispute(dispute.dispute_id, 'RESOLVED_SELLER_FAVOUR');
    await drained();
    paypal.copies = 1;

    expect(await disputesOf(created)).toEqual([
      { status: 'won', amount: '400', reason: 'MERCHANDISE_OR_SERVICE_NOT_RECEIVED', due: true },
    ]);
    expect(
      (await transfersOf(created)).filter((transfer) => transfer.code.includes('dispute')),
    ).toEqual([
      { code: 'payment.dispute_opened', amount: '400' },
      { code: 'payment.dispute_won', amount: '400' },
    ]);
  });

  it('pays a payout: held at the request, posted when PayPal reports it paid, once per key', async () => {
    await deposit('3000');
    const before = await balance();
    const key = randomUUID();

    const res = await withdraw(
      payer,
      { amount: '1200', receiver: 'payee@example.com' },
      {
        'idempotency-key': key,
      },
    );
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      ownerId: payer.id,
      asset: 'USD',
      amount: '1200',
      receiver: 'payee@example.com',
      state: 'pending',
      providerStatus: null,
      holdTransferId: expect.any(String),
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    const replay = await withdraw(
      payer,
      { amount: '1200', receiver: 'payee@example.com' },
      {
        'idempotency-key': key,
      },
    );
    expect(replay.body).toEqual(res.body);
    const paid = await waitPayout(res.body.id, 'paid');
    await drained();

    expect(paid.providerStatus).toBe('SUCCESS');
    expect((await balance()) - before).toBe(-1200n);
    expect(await payoutTransfers(res.body)).toEqual([
      { code: 'payout.hold', amount: '1200', status: 'posted' },
    ]);
    const item = paypal.payoutItemOf(res.body.id)!;
    expect(item).toMatchObject({
      transaction_status: 'SUCCESS',
      payout_item: { receiver: 'payee@example.com', amount: { currency: 'USD', value: '12.00' } },
    });
    expect(paypal.payoutBatches.size).toBeGreaterThanOrEqual(1);
    expect(
      [...paypal.payoutBatches.values()].filter(
        (batch) => batch.items[0]!.payout_item.sender_item_id === res.body.id,
      ),
    ).toHaveLength(1);

    // Owner and staff read it; anyone else gets the 404 of an unknown id.
    expect((await readPayout(res.body.id, admin)).state).toBe('paid');
    const byOther = await api.request('GET', `/v1/payouts/${res.body.id}`, {
      token: other.accessToken,
    });
    expect(byOther.status).toBe(404);
    expect(byOther.body.code).toBe('payments.payout_not_found');
    const listed = await api.request('GET', '/v1/payouts', { token: payer.accessToken });
    expect(listed.body.payouts.map((p: PayoutBody) => p.id)).toContain(res.body.id);
    const othersList = await api.request('GET', '/v1/payouts', { token: other.accessToken });
    expect(othersList.body.payouts).toEqual([]);
  });

  it('releases the hold when a payout fails, or is returned unclaimed', async () => {
    await deposit('2000');
    const before = await balance();

    const failing = await withdraw(payer, { amount: '700', receiver: 'locked+fail@example.com' });
    const unclaimed = await withdraw(payer, {
      amount: '500',
      receiver: 'nobody+unclaimed@example.com',
    });
    expect([failing.status, unclaimed.status]).toEqual([201, 201]);
    expect(await available()).toBe(before - 1200n);

    const failed = await waitPayout(failing.body.id, 'failed');
    expect(failed.providerStatus).toBe('FAILED');
    await waitFor(
      () => readPayout(unclaimed.body.id),
      (body) => body.providerStatus === 'UNCLAIMED',
    );
    expect((await readPayout(unclaimed.body.id)).state).toBe('in_transit');
    await drained();
    expect(await available()).toBe(before - 500n);

    paypal.returnUnclaimed(paypal.payoutItemOf(unclaimed.body.id)!.payout_item_id);
    const returned = await waitPayout(unclaimed.body.id, 'returned');
    await drained();

    expect(returned.providerStatus).toBe('RETURNED');
    expect(await balance()).toBe(before);
    expect(await available()).toBe(before);
    expect(await payoutTransfers(failing.body)).toEqual([
      { code: 'payout.hold', amount: '700', status: 'voided' },
    ]);
    expect(await payoutTransfers(unclaimed.body)).toEqual([
      { code: 'payout.hold', amount: '500', status: 'voided' },
    ]);
  });

  it('refuses a payout the wallet cannot cover, or with a bad receiver, holding nothing', async () => {
    const before = await available();

    const tooMuch = await withdraw(payer, {
      amount: (before + 1n).toString(),
      receiver: 'payee@example.com',
    });
    expect(tooMuch.status).toBe(422);
    expect(tooMuch.body.code).toBe('ledger.insufficient_funds');
    const bad = await withdraw(payer, { amount: '-5', receiver: 'not an email' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'amount',
      'receiver',
    ]);
    expect(await available()).toBe(before);
    expect(
      await query(`SELECT 1 FROM payouts WHERE owner_id = $1 AND state = 'pending'`, [payer.id]),
    ).toEqual([]);
  });

  it("reconciles PayPal's transaction search: matched, in transit, and money we never booked", async () => {
    const from = new Date();
    const deposited = await deposit('1500');
    const paid = await withdraw(payer, { amount: '600', receiver: 'payee@example.com' });
    const held = await withdraw(payer, { amount: '250', receiver: 'slow+hold@example.com' });
    await waitPayout(paid.body.id, 'paid');
    await waitPayout(held.body.id, 'in_transit');
    await drained();
    // A payment someone took with PayPal outside Bourse.
    paypal.transactions.push({
      transaction_id: 'OUTSIDE-1',
      transaction_event_code: 'T0006',
      transaction_initiation_date: new Date().toISOString(),
      transaction_updated_date: new Date().toISOString(),
      transaction_amount: { currency_code: 'USD', value: '12.34' },
      transaction_status: 'S',
      custom_field: 'INV-2024-001',
    });

    const run = await api.app
      .get(ReconciliationService)
      .run('paypal', { from, to: new Date(Date.now() + 1000) });
    const { body } = await api.request('GET', `/v1/admin/payments/reconciliations/${run.id}`, {
      token: admin.accessToken,
    });

    const line = (
      kind: string,
      status: string,
      ids: { paymentId?: string; payoutId?: string },
      providerAmount: string | null,
      ledgerAmount: string | null,
    ) => ({
      kind,
      status,
      paymentId: ids.paymentId ?? null,
      payoutId: ids.payoutId ?? null,
      providerRef: providerAmount === null ? null : expect.any(String),
      asset: 'USD',
      providerAmount,
      ledgerAmount,
    });
    expect(body).toMatchObject({ provider: 'paypal', lines: 5, exceptions: 1 });
    expect(body.details).toEqual([
      line('capture', 'missing_in_ledger', {}, '1234', null),
      line('payout', 'expected', { payoutId: held.body.id }, null, '250'),
      ...[
        line('capture', 'matched', { paymentId: deposited.id }, '1500', '1500'),
        line('fee', 'matched', { paymentId: deposited.id }, '101', '101'),
        line('payout', 'matched', { payoutId: paid.body.id }, '600', '600'),
      ],
    ]);
  });
});
