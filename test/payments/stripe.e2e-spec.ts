import { StatementsService } from '@bourse/ledger';
import { PaymentsService, ReconciliationService } from '@bourse/payments';
import { dataSourceOptions, rows } from '@bourse/platform';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import Stripe from 'stripe';
import { DataSource } from 'typeorm';
import { ledgerOf } from '../factories/ledger';
import { MIGRATIONS } from '../../migrations';
import { StripeSimulator, type StripeEvent } from '../../simulators/stripe/stripe.simulator';
import { signedInUser, type SignedInUser } from '../factories/users';
import { startApi, testConfig, type TestServer } from '../setup/apps';
import { adminQuery, TEST_DB_ENV, testDatabaseUrl } from '../setup/test-env';
import { startWorker } from '../setup/worker';

// The worker relays every outbox row of its database and applies every Stripe event in the inbox:
// this file's api and worker get a database and Redis prefix of their own.
const DATABASE = `${process.env[TEST_DB_ENV]}_payments`;
const SECRET_KEY = 'sk_test_payments_spec';
const WEBHOOK_SECRET = 'whsec_payments_spec';

interface PaymentBody {
  id: string;
  state: string;
  amount: string;
  captured: string;
  refunded: string;
  clientSecret: string | null;
  declineCode: string | null;
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

describe('payments through Stripe (the simulator over HTTP, real inbox, worker and ledger)', () => {
  let stripeSim: StripeSimulator;
  let api: TestServer;
  let worker: TestServer | undefined;
  let db: DataSource;
  let payer: SignedInUser;
  let other: SignedInUser;
  let admin: SignedInUser;
  /** The payer's browser (Stripe.js): confirms with the client secret's intent. */
  let client: Stripe;
  let env: Record<string, string>;

  const query = <T>(sql: string, params: unknown[] = []) => rows<T>(db.manager, sql, params);
  const intentOf = (payment: PaymentBody) => payment.clientSecret!.split('_secret_')[0]!;
  const pay = async (
    user: SignedInUser,
    body: Record<string, unknown> = {},
    headers: Record<string, string> = {},
  ) => {
    const res = await api.request<PaymentBody>('POST', '/v1/payments', {
      token: user.accessToken,
      headers,
      body: {
        amount: '1250',
        asset: 'USD',
        purpose: 'wallet_deposit',
        provider: 'stripe',
        ...body,
      },
    });
    expect(res.status).toBe(201);

    return res.body;
  };
  const confirm = (payment: PaymentBody, method = 'pm_card_visa') =>
    client.paymentIntents.confirm(intentOf(payment), { payment_method: method });
  const read = async (payment: PaymentBody, user = payer) =>
    (
      await api.request<PaymentBody>('GET', `/v1/payments/${payment.id}`, {
        token: user.accessToken,
      })
    ).body;
  const balanceOf = async (user: SignedInUser) => {
    const ledger = ledgerOf(api.app);
    const wallet = await ledger.accounts.ensureWallet(user.id, 'USD');

    return (await ledger.accounts.getAccount(wallet.id))!.balance.posted;
  };
  /**
   * The payment's own movements (captures, refunds), a capture before the refund settled in the
   * same transaction; fees and disputes have their helpers.
   */
  const transfersOf = (payment: PaymentBody) =>
    query<{ code: string; amount: string }>(
      `SELECT code, amount FROM ledger_transfers
        WHERE metadata->>'paymentId' = $1 AND code IN ('payment.capture', 'payment.refund')
        ORDER BY created_at, code`,
      [payment.id],
    );
  const feesOf = (payment: PaymentBody) =>
    query<{ code: string; amount: string }>(
      `SELECT code, amount FROM ledger_transfers
        WHERE metadata->>'paymentId' = $1 AND code = 'payment.fee' ORDER BY created_at, id`,
      [payment.id],
    );
  const disputeTransfersOf = (payment: PaymentBody) =>
    query<{ code: string; amount: string }>(
      `SELECT code, amount FROM ledger_transfers
        WHERE metadata->>'paymentId' = $1 AND code LIKE 'payment.dispute%' ORDER BY created_at, code`,
      [payment.id],
    );
  const disputesOf = (payment: PaymentBody) =>
    query<{ status: string; amount: string; reason: string; due: boolean; alerted: boolean }>(
      `SELECT status, amount::text, reason, evidence_due_by > now() AS due, alerted_at IS NOT NULL AS alerted
         FROM payment_disputes WHERE payment_id = $1`,
      [payment.id],
    );
  /** Balance of one of payments' system accounts (`system:payments_<name>`), in USD. */
  const systemBalance = async (name: string) => {
    const [row] = await query<{ id: string }>(
      `SELECT id FROM ledger_accounts WHERE owner = $1 AND asset = 'USD'`,
      [`system:payments_${name}`],
    );

    return row ? (await ledgerOf(api.app).accounts.getAccount(row.id))!.balance.posted : 0n;
  };
  /** Every event the simulator sent has been answered and applied by the worker. */
  const drained = async () => {
    await stripeSim.settled();
    await waitFor(
      () =>
        query<{ n: number }>(
          `SELECT count(*)::int AS n FROM inbox WHERE provider = 'stripe' AND processed_at IS NULL`,
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
    stripeSim = new StripeSimulator({ secretKey: SECRET_KEY, webhookSecret: WEBHOOK_SECRET });
    await stripeSim.start();
    env = {
      DATABASE_URL: testDatabaseUrl(DATABASE),
      REDIS_KEY_PREFIX: `${process.env.REDIS_KEY_PREFIX}-payments`,
      OUTBOX_RELAY_INTERVAL_MS: '20',
      PAYMENTS_STRIPE_API_URL: stripeSim.url,
      PAYMENTS_STRIPE_SECRET_KEY: SECRET_KEY,
      PAYMENTS_STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      // The deadline check runs every second and alerts on disputes due within 200 hours
      // (Stripe's 7 days are inside the window; a dispute given 30 days is not).
      PAYMENTS_DISPUTE_CHECK_INTERVAL_SECONDS: '1',
      PAYMENTS_DISPUTE_ALERT_HOURS: '200',
      // Whatever the report lacks is missing at once (PayPal's spec covers `expected`).
      PAYMENTS_RECON_GRACE_SECONDS: '0',
    };
    db = new DataSource(
      dataSourceOptions({ ...testConfig(env).database, poolSize: 2 }, { migrations: MIGRATIONS }),
    );
    await db.initialize();
    await db.runMigrations();
    api = await startApi(env);
    stripeSim.options.webhookUrl = `${api.url}/v1/webhooks/stripe`;
    const simulator = new URL(stripeSim.url);
    client = new Stripe(SECRET_KEY, {
      host: simulator.hostname,
      port: simulator.port,
      protocol: 'http',
      maxNetworkRetries: 0,
    });
    [payer, other, admin] = await Promise.all([
      signedInUser(api),
      signedInUser(api),
      signedInUser(api, { role: 'admin' }),
    ]);
  });
  beforeEach(async () => {
    stripeSim.delivery = { copies: 1, delayMs: 0, hold: false };
    worker ??= await startWorker(env);
  });
  afterEach(async () => {
    await drained();
    // Every scenario leaves the ledger balanced, with balances equal to their entries.
    expect((await api.app.get(StatementsService).verifyInvariants()).ok).toBe(true);
  });
  afterAll(async () => {
    await worker?.close();
    await api?.close();
    await stripeSim?.stop();
    await db?.destroy();
    await adminQuery(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
  });

  it('credits the wallet once a card deposit succeeds, and shows it to the payer and staff only', async () => {
    const before = await balanceOf(payer);

    const created = await pay(payer);
    expect(created).toMatchObject({ state: 'requires_action', amount: '1250', captured: '0' });
    expect(created.clientSecret).toMatch(/^pi_\w+_secret_\w+$/);
    await confirm(created);
    const settled = await waitState(created, 'succeeded');

    expect(settled).toMatchObject({ captured: '1250', refunded: '0', declineCode: null });
    expect((await balanceOf(payer)) - before).toBe(1250n);
    expect(await transfersOf(created)).toEqual([{ code: 'payment.capture', amount: '1250' }]);
    const attempts = await query(`SELECT outcome FROM payment_attempts WHERE payment_id = $1`, [
      created.id,
    ]);
    expect(attempts).toEqual([{ outcome: 'captured' }]);

    const byOther = await api.request('GET', `/v1/payments/${created.id}`, {
      token: other.accessToken,
    });
    expect(byOther.status).toBe(404);
    expect(byOther.body.code).toBe('payments.payment_not_found');
    const byAdmin = await read(created, admin);
    expect(byAdmin).toMatchObject({ id: created.id, state: 'succeeded', clientSecret: null });
    const listed = await api.request('GET', '/v1/payments?limit=100', { token: payer.accessToken });
    expect(listed.body.payments.map((p: PaymentBody) => p.id)).toContain(created.id);
    const metrics = (await worker!.metrics()).body as string;
    expect(metrics).toMatch(/^bourse_payments\{provider="stripe",state="succeeded"\} [1-9]/m);
    const othersList = await api.request('GET', '/v1/payments', { token: other.accessToken });
    expect(othersList.body.payments.map((p: PaymentBody) => p.id)).not.toContain(created.id);
  });

  it('creates one intent for one Idempotency-Key, replaying the first answer', async () => {
    const key = randomUUID();
    const intentsBefore = stripeSim.intents.size;

    const first = await pay(payer, {}, { 'idempotency-key': key });
    const replay = await api.request('POST', '/v1/payments', {
      token: payer.accessToken,
      headers: { 'idempotency-key': key },
      body: { amount: '1250', asset: 'USD', purpose: 'wallet_deposit', provider: 'stripe' },
    });

    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toEqual(first);
    expect(stripeSim.intents.size - intentsBefore).toBe(1);
  });

  it('refuses bad input naming the field, and an unknown purpose or asset', async () => {
    const bad = await api.request('POST', '/v1/payments', {
      token: payer.accessToken,
      body: { amount: 12.5, asset: 'USD', purpose: 'wallet_deposit', provider: 'cash' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'amount',
      'provider',
    ]);
    const purpose = await api.request('POST', '/v1/payments', {
      token: payer.accessToken,
      body: { amount: '100', asset: 'USD', purpose: 'lottery', provider: 'stripe' },
    });
    expect(purpose.status).toBe(422);
    expect(purpose.body).toMatchObject({ code: 'payments.unknown_purpose', field: 'purpose' });
    const asset = await api.request('POST', '/v1/payments', {
      token: payer.accessToken,
      body: { amount: '100', asset: 'ZZZ', purpose: 'wallet_deposit', provider: 'stripe' },
    });
    expect(asset.status).toBe(422);
    expect(asset.body.code).toBe('ledger.asset_not_found');
  });

  it('applies the same webhook delivered ten times at once as one ledger transfer', async () => {
    stripeSim.delivery = { copies: 10, delayMs: 0, hold: false };
    const before = await balanceOf(payer);

    const created = await pay(payer, { amount: '700' });
    await confirm(created);
    await drained();

    expect((await balanceOf(payer)) - before).toBe(700n);
    expect(await transfersOf(created)).toEqual([{ code: 'payment.capture', amount: '700' }]);
    // 2.9 % + 30 cents, booked once too.
    expect(await feesOf(created)).toEqual([{ code: 'payment.fee', amount: '50' }]);
    const stored = await query<{ n: number }>(
      `SELECT count(*)::int AS n FROM inbox WHERE payload->'data'->'object'->>'id' = $1`,
      [intentOf(created)],
    );
    // created, succeeded: each stored once however often it came.
    expect(stored).toEqual([{ n: 2 }]);
  });

  it('settles events delivered in reverse (the refund before the success) to the same result', async () => {
    stripeSim.delivery = { copies: 1, delayMs: 0, hold: true };
    const before = await balanceOf(payer);
    const created = await pay(payer, { amount: '1250' });
    await confirm(created);
    // Refunded from the Stripe dashboard (not through us): only the webhook tells.
    await client.refunds.create({ payment_intent: intentOf(created), amount: 500 });
    const types = stripeSim.held.map((event) => event.type);
    expect(types).toEqual([
      'payment_intent.created',
      'charge.succeeded',
      'payment_intent.succeeded',
      'charge.refunded',
      'refund.created',
    ]);

    stripeSim.release(types.map((_, i) => types.length - 1 - i));
    await drained();

    expect(await read(created)).toMatchObject({
      state: 'succeeded',
      captured: '1250',
      refunded: '500',
    });
    expect((await balanceOf(payer)) - before).toBe(750n);
    expect(await transfersOf(created)).toEqual([
      { code: 'payment.capture', amount: '1250' },
      { code: 'payment.refund', amount: '500' },
    ]);
  });

  it('refuses forged and too-old signatures with a 400, storing nothing', async () => {
    const created = await pay(payer);
    await confirm(created);
    await drained();
    const genuine = stripeSim.events.find(
      (event) =>
        event.type === 'payment_intent.succeeded' && event.data.object.id === intentOf(created),
    )!;
    const fresh: StripeEvent = { ...genuine, id: `evt_${randomUUID()}` };
    const now = Math.floor(Date.now() / 1000);
    const deliver = (body: string, signature?: string) =>
      api.request('POST', '/v1/webhooks/stripe', {
        body,
        headers: signature ? { 'stripe-signature': signature } : {},
      });
    const otherSecret = stripeSim.signed(fresh, now, 'whsec_someone_else');
    const tooOld = stripeSim.signed(fresh, now - 301);
    const genuineNow = stripeSim.signed(fresh, now);

    const answers = [
      await deliver(otherSecret.body, otherSecret.signature),
      await deliver(tooOld.body, tooOld.signature),
      await deliver(
        genuineNow.body.replace('"livemode": false', '"livemode": true'),
        genuineNow.signature,
      ),
      await deliver(genuineNow.body),
    ];

    for (const answer of answers) {
      expect(answer.status).toBe(400);
      expect(answer.body.code).toBe('inbox.invalid_signature');
    }
    expect(await query(`SELECT 1 FROM inbox WHERE event_id = $1`, [fresh.id])).toEqual([]);
    // The same bytes with their genuine, fresh signature are accepted (and change nothing).
    const accepted = await deliver(genuineNow.body, genuineNow.signature);
    expect(accepted.status).toBe(200);
    await drained();
    expect(await transfersOf(created)).toHaveLength(1);
  });

  it('applies each event that arrived while the worker was stopped once, when it starts', async () => {
    await worker!.close();
    worker = undefined;
    const before = await balanceOf(payer);
    const created = await Promise.all(
      Array.from({ length: 5 }, (_, i) => pay(payer, { amount: String(100 + i) })),
    );
    stripeSim.delivery = { copies: 2, delayMs: 0, hold: false };
    await Promise.all(created.map((payment) => confirm(payment)));
    await stripeSim.settled();
    await sleep(200);
    expect(await balanceOf(payer)).toBe(before);

    worker = await startWorker(env);
    await drained();

    expect((await balanceOf(payer)) - before).toBe(100n + 101n + 102n + 103n + 104n);
    for (const payment of created) {
      expect(await transfersOf(payment)).toHaveLength(1);
      expect((await read(payment)).state).toBe('succeeded');
    }
  });

  it('captures a manual payment partially, then the rest, and refuses capturing more', async () => {
    const payments = api.app.get(PaymentsService);
    const before = await balanceOf(payer);
    const created = await pay(payer, { amount: '1000', captureMode: 'manual' });
    await confirm(created);
    await waitState(created, 'requires_capture');
    expect(await balanceOf(payer)).toBe(before);

    const partial = await payments.capture(created.id, { amount: 400n, final: false });
    expect(partial).toMatchObject({ state: 'requires_capture', captured: 400n });
    expect((await balanceOf(payer)) - before).toBe(400n);
    await expect(payments.capture(created.id, { amount: 601n })).rejects.toMatchObject({
      code: 'payments.amount_too_large',
    });
    const rest = await payments.capture(created.id);
    expect(rest).toMatchObject({ state: 'succeeded', captured: 1000n });
    await drained();

    expect((await balanceOf(payer)) - before).toBe(1000n);
    expect(await transfersOf(created)).toEqual([
      { code: 'payment.capture', amount: '400' },
      { code: 'payment.capture', amount: '600' },
    ]);
    await expect(payments.capture(created.id)).rejects.toMatchObject({
      code: 'payments.invalid_state',
    });
  });

  it('cancels an authorisation: nothing moves', async () => {
    const created = await pay(payer, { amount: '900', captureMode: 'manual' });
    await confirm(created);
    await waitState(created, 'requires_capture');

    const cancelled = await api.app.get(PaymentsService).cancel(created.id);
    await drained();

    expect(cancelled.state).toBe('cancelled');
    expect(await read(created)).toMatchObject({ state: 'cancelled', captured: '0' });
    expect(await transfersOf(created)).toEqual([]);
  });

  it('refunds for admins only, never more than was captured, not even by SQL', async () => {
    const created = await pay(payer, { amount: '1000' });
    await confirm(created);
    await waitState(created, 'succeeded');
    const refund = (user: SignedInUser, amount?: string) =>
      api.request('POST', `/v1/payments/${created.id}/refunds`, {
        token: user.accessToken,
        body: { amount, reason: 'customer asked' },
      });

    expect((await refund(payer, '100')).status).toBe(403);
    expect((await refund(other, '100')).status).toBe(403);
    const first = await refund(admin, '600');
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ refunded: '600', captured: '1000' });
    const over = await refund(admin, '401');
    expect(over.status).toBe(422);
    expect(over.body).toMatchObject({ code: 'payments.amount_too_large', available: '400' });
    const rest = await refund(admin);
    expect(rest.body).toMatchObject({ refunded: '1000' });
    await drained();

    await expect(
      query(`UPDATE payments SET refunded = captured + 1 WHERE id = $1`, [created.id]),
    ).rejects.toThrow(/check constraint/);
    expect(await transfersOf(created)).toEqual([
      { code: 'payment.capture', amount: '1000' },
      { code: 'payment.refund', amount: '600' },
      { code: 'payment.refund', amount: '400' },
    ]);
    const audit = await query(
      `SELECT action, details->>'amount' AS amount FROM audit_events WHERE target = $1 ORDER BY id`,
      [`payment:${created.id}`],
    );
    expect(audit).toEqual([
      { action: 'payment.refund', amount: '600' },
      { action: 'payment.refund', amount: '400' },
    ]);
    const intent = stripeSim.intents.get(intentOf(created))!;
    expect(stripeSim.charges.get(intent.latest_charge!)!.amount_refunded).toBe(1000);
  });

  it('records a decline, normalised, and moves no money', async () => {
    const created = await pay(payer);

    await expect(confirm(created, 'pm_card_chargeDeclinedInsufficientFunds')).rejects.toThrow(
      /declined/,
    );
    const failed = await waitState(created, 'failed');

    expect(failed.declineCode).toBe('insufficient_funds');
    expect(
      await query(
        `SELECT outcome, decline_code, retryable FROM payment_attempts WHERE payment_id = $1`,
        [created.id],
      ),
    ).toEqual([{ outcome: 'declined', decline_code: 'insufficient_funds', retryable: false }]);
    expect(await transfersOf(created)).toEqual([]);
  });

  it("books Stripe's fee from the charge's balance transactions as its own leg", async () => {
    const feesBefore = await systemBalance('psp_fees');
    const before = await balanceOf(payer);

    const created = await pay(payer, { amount: '1250' });
    await confirm(created);
    await waitState(created, 'succeeded');
    await drained();

    // The payer is credited the gross; the fee is the platform's expense, out of psp_clearing.
    expect((await balanceOf(payer)) - before).toBe(1250n);
    expect(await read(created)).toMatchObject({ captured: '1250', fee: '66' });
    expect(await feesOf(created)).toEqual([{ code: 'payment.fee', amount: '66' }]);
    expect((await systemBalance('psp_fees')) - feesBefore).toBe(-66n);
    const charge = stripeSim.charges.get(stripeSim.intents.get(intentOf(created))!.latest_charge!)!;
    const transaction = stripeSim.balanceTransactions.find((t) => t.source === charge.id)!;
    expect(transaction).toMatchObject({ amount: 1250, fee: 66, net: 1184, type: 'charge' });
  });

  it('moves a disputed amount to the reserve, then writes it off when the dispute is lost', async () => {
    const reserveBefore = await systemBalance('dispute_reserve');
    const lossesBefore = await systemBalance('dispute_losses');
    const created = await pay(payer, { amount: '800' });
    await confirm(created, 'pm_card_createDispute');
    await waitState(created, 'succeeded');
    await drained();

    expect(await disputesOf(created)).toEqual([
      {
        status: 'open',
        amount: '800',
        reason: 'fraudulent',
        due: true,
        alerted: expect.any(Boolean),
      },
    ]);
    expect(await disputeTransfersOf(created)).toEqual([
      { code: 'payment.dispute_opened', amount: '800' },
    ]);
    expect((await systemBalance('dispute_reserve')) - reserveBefore).toBe(-800n);

    const dispute = [...stripeSim.disputes.values()].find(
      (d) => d.payment_intent === intentOf(created),
    )!;
    await client.disputes.update(dispute.id, {
      evidence: { uncategorized_text: 'losing_evidence' },
    });
    await drained();

    expect((await disputesOf(created))[0]!.status).toBe('lost');
    expect(await disputeTransfersOf(created)).toEqual([
      { code: 'payment.dispute_opened', amount: '800' },
      { code: 'payment.dispute_lost', amount: '800' },
    ]);
    expect((await systemBalance('dispute_reserve')) - reserveBefore).toBe(0n);
    expect((await systemBalance('dispute_losses')) - lossesBefore).toBe(-800n);
    // The payment itself is unchanged: still captured, the deposit still in the wallet.
    expect(await read(created)).toMatchObject({ state: 'succeeded', captured: '800' });
  });

  it('settles a won dispute once whatever the order and copies of its events', async () => {
    const reserveBefore = await systemBalance('dispute_reserve');
    const created = await pay(payer, { amount: '650' });
    await confirm(created);
    await waitState(created, 'succeeded');
    await drained();
    stripeSim.delivery = { copies: 3, delayMs: 0, hold: true };
    const dispute = stripeSim.openDispute(intentOf(created), 'product_not_received');
    await client.disputes.update(dispute.id, {
      evidence: { uncategorized_text: 'winning_evidence' },
    });
    expect(stripeSim.held.map((event) => event.type)).toEqual([
      'charge.dispute.created',
      'charge.dispute.closed',
    ]);

    // The closing event first, each three times.
    stripeSim.release([1, 0]);
    await drained();

    expect(await disputesOf(created)).toEqual([
      {
        status: 'won',
        amount: '650',
        reason: 'product_not_received',
        due: true,
        alerted: expect.any(Boolean),
      },
    ]);
    expect(await disputeTransfersOf(created)).toEqual([
      { code: 'payment.dispute_opened', amount: '650' },
      { code: 'payment.dispute_won', amount: '650' },
    ]);
    expect((await systemBalance('dispute_reserve')) - reserveBefore).toBe(0n);
  });

  it('alerts staff ahead of an evidence deadline once: metric, log and in-app notification', async () => {
    const soon = await pay(payer, { amount: '300' });
    const later = await pay(payer, { amount: '310' });
    await Promise.all([confirm(soon), confirm(later)]);
    await Promise.all([waitState(soon, 'succeeded'), waitState(later, 'succeeded')]);
    await drained();
    const dueSoon = stripeSim.openDispute(intentOf(soon));
    stripeSim.evidenceWindowSeconds = 30 * 24 * 3600;
    const dueLater = stripeSim.openDispute(intentOf(later));
    stripeSim.evidenceWindowSeconds = 7 * 24 * 3600;
    await drained();

    const [alerted] = await waitFor(
      () => disputesOf(soon),
      ([row]) => row?.alerted === true,
    );
    expect(alerted).toMatchObject({ status: 'open', alerted: true });
    const notifications = () =>
      query<{ user_id: string; type: string; data: Record<string, string> }>(
        `SELECT n.user_id, n.type, n.data FROM notifications n
          JOIN payment_disputes d ON d.id::text = n.data->>'disputeId'
         WHERE d.provider_ref = ANY($1)`,
        [[dueSoon.id, dueLater.id]],
      );
    const [notified] = await waitFor(notifications, (rows) => rows.length > 0);
    expect(notified).toEqual({
      user_id: admin.id,
      type: 'payments.dispute_due',
      data: { disputeId: expect.any(String), paymentId: soon.id },
    });
    // A few more checks run: the dispute due in 30 days is not alerted, the other not twice.
    await sleep(2500);
    expect((await disputesOf(later))[0]!.alerted).toBe(false);
    expect(await notifications()).toHaveLength(1);
    const metrics = (await worker!.metrics()).body as string;
    expect(metrics).toMatch(
      /^bourse_payments_dispute_deadline_alerts_total\{provider="stripe"\} [1-9]/m,
    );
  });

  it("reconciles Stripe's balance transactions against the ledger and finds planted mismatches", async () => {
    // A window of this test's own: Stripe's report is in whole seconds.
    const from = new Date(Math.ceil(Date.now() / 1000) * 1000);
    await sleep(from.getTime() - Date.now() + 5);
    const matched = await pay(payer, { amount: '1000' });
    const refunded = await pay(payer, { amount: '900' });
    const lost = await pay(payer, { amount: '700' });
    await Promise.all([confirm(matched), confirm(refunded), confirm(lost)]);
    await Promise.all([matched, refunded, lost].map((p) => waitState(p, 'succeeded')));
    // Paid at Stripe outside Bourse (the dashboard): no payment of ours.
    const foreign = await client.paymentIntents.create({ amount: 400, currency: 'usd' });
    await client.paymentIntents.confirm(foreign.id, { payment_method: 'pm_card_visa' });
    await client.refunds.create({ payment_intent: intentOf(refunded), amount: 300 });
    await drained();
    // A second refund whose events never reach us.
    stripeSim.delivery = { copies: 1, delayMs: 0, hold: true };
    await client.refunds.create({ payment_intent: intentOf(refunded), amount: 200 });
    stripeSim.held.length = 0;
    // Stripe's report loses a charge we booked.
    const lostCharge = stripeSim.intents.get(intentOf(lost))!.latest_charge!;
    stripeSim.balanceTransactions.splice(
      stripeSim.balanceTransactions.findIndex((t) => t.source === lostCharge),
      1,
    );
    const balanceBefore = await balanceOf(payer);

    const run = await api.app
      .get(ReconciliationService)
      .run('stripe', { from, to: new Date(Date.now() + 1000) });

    expect(run).toMatchObject({ provider: 'stripe', lines: 9, exceptions: 5 });
    const res = await api.request('GET', `/v1/admin/payments/reconciliations/${run.id}`, {
      token: admin.accessToken,
    });
    expect(res.status).toBe(200);
    const line = (
      kind: string,
      status: string,
      paymentId: string | null,
      providerAmount: string | null,
      ledgerAmount: string | null,
    ) => ({
      kind,
      status,
      paymentId,
      payoutId: null,
      providerRef: providerAmount === null ? null : expect.stringMatching(/^txn_/),
      asset: 'USD',
      providerAmount,
      ledgerAmount,
    });
    expect(res.body).toEqual({
      id: run.id,
      provider: 'stripe',
      windowFrom: from.toISOString(),
      windowTo: expect.any(String),
      lines: 9,
      exceptions: 5,
      createdAt: expect.any(String),
      details: expect.arrayContaining([
        line('refund', 'amount_mismatch', refunded.id, '500', '300'),
        line('capture', 'missing_in_ledger', null, '400', null),
        line('fee', 'missing_in_ledger', null, '42', null),
        line('capture', 'missing_in_provider', lost.id, null, '700'),
        line('fee', 'missing_in_provider', lost.id, null, '50'),
        line('capture', 'matched', matched.id, '1000', '1000'),
        line('fee', 'matched', matched.id, '59', '59'),
        line('capture', 'matched', refunded.id, '900', '900'),
        line('fee', 'matched', refunded.id, '56', '56'),
      ]),
    });
    // Exceptions first.
    expect(res.body.details.slice(0, 5).map((l: { status: string }) => l.status)).not.toContain(
      'matched',
    );
    // Results only: nothing was corrected.
    expect(await balanceOf(payer)).toBe(balanceBefore);
    expect(await read(refunded)).toMatchObject({ refunded: '300' });

    const listed = await api.request('GET', '/v1/admin/payments/reconciliations?limit=5', {
      token: admin.accessToken,
    });
    expect(listed.body.runs[0]).toMatchObject({ id: run.id, exceptions: 5 });
    expect(listed.body.runs[0].details).toBeUndefined();
    const byPayer = await api.request('GET', `/v1/admin/payments/reconciliations/${run.id}`, {
      token: payer.accessToken,
    });
    expect(byPayer.status).toBe(403);
    const metrics = (await worker!.metrics()).body as string;
    expect(metrics).toMatch(/^bourse_payments_recon_exceptions\{provider="stripe"\} 5$/m);
  });
});
