import Stripe from 'stripe';
import { StripeSimulator } from '../../simulators/stripe/stripe.simulator';
import { signedInUser, type SignedInUser } from '../factories/users';
import { TopupHarness, waitFor } from './topup-harness';

const SECRET_KEY = 'sk_test_topup_spec';
const WEBHOOK_SECRET = 'whsec_topup_spec';

interface PaymentBody {
  state: string;
  captured: string;
  refunded: string;
}

describe('top-up orders paid by card (manual capture through payments, Stripe simulator)', () => {
  const t = new TopupHarness('topup_card');
  const stripeSim = new StripeSimulator({ secretKey: SECRET_KEY, webhookSecret: WEBHOOK_SECRET });
  let client: Stripe;
  let payer: SignedInUser;
  let admin: SignedInUser;

  const payment = async (id: string) =>
    (await t.api.request<PaymentBody>('GET', `/v1/payments/${id}`, { token: payer.accessToken }))
      .body;
  const confirm = (clientSecret: string, method = 'pm_card_visa') =>
    client.paymentIntents.confirm(clientSecret.split('_secret_')[0]!, { payment_method: method });

  beforeAll(async () => {
    await stripeSim.start();
    Object.assign(t.extraEnv, {
      PAYMENTS_STRIPE_API_URL: stripeSim.url,
      PAYMENTS_STRIPE_SECRET_KEY: SECRET_KEY,
      PAYMENTS_STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    });
    await t.start();
    stripeSim.options.webhookUrl = `${t.api.url}/v1/webhooks/stripe`;
    const simulator = new URL(stripeSim.url);
    client = new Stripe(SECRET_KEY, {
      host: simulator.hostname,
      port: simulator.port,
      protocol: 'http',
      maxNetworkRetries: 0,
    });
    await t.startWorker();
    [payer, admin] = await Promise.all([t.consumer(0n), signedInUser(t.api, { role: 'admin' })]);
  }, 120_000);
  beforeEach(() => {
    stripeSim.delivery = { copies: 1, delayMs: 0, hold: false };
    t.dtone.options.failureRate = 0;
  });
  afterEach(async () => {
    await stripeSim.settled();
    await t.dtone.settled();
    await t.expectBooksClean();
  });
  afterAll(async () => {
    await t.stop();
    await stripeSim.stop();
  });

  it('authorises at order, captures at delivery, and moves once however often Stripe reports it', async () => {
    stripeSim.delivery.copies = 2;
    const floatBefore = await t.systemBalance('aggregator_float');
    const placed = await t.order(payer.accessToken, { payWith: 'stripe' });
    expect(placed.status).toBe(201);
    expect(placed.body).toMatchObject({ state: 'payment_pending', payWith: 'stripe' });
    expect(placed.body.clientSecret).toMatch(/^pi_\w+_secret_\w+$/);

    await confirm(placed.body.clientSecret!);
    const delivered = await t.waitState(payer.accessToken, placed.body.id, 'delivered');
    expect(delivered.events.map(({ from, to }) => [from, to])).toEqual([
      [null, 'created'],
      ['created', 'payment_pending'],
      ['payment_pending', 'paid'],
      ['paid', 'submitted'],
      ['submitted', 'delivered'],
    ]);
    await stripeSim.settled();
    expect(await payment(placed.body.paymentId!)).toMatchObject({
      state: 'succeeded',
      captured: '490',
      refunded: '0',
    });
    expect((await t.systemBalance('aggregator_float')) - floatBefore).toBe(475n);
  });

  it('is paid once whatever order Stripe’s events arrive in', async () => {
    stripeSim.delivery.hold = true;
    const placed = await t.order(payer.accessToken, { payWith: 'stripe' });
    await confirm(placed.body.clientSecret!);
    await waitFor(
      async () => stripeSim.held.length,
      (n) => n > 0,
    );
    stripeSim.delivery.hold = false;
    stripeSim.release([...stripeSim.held.keys()].reverse());
    const delivered = await t.waitState(payer.accessToken, placed.body.id, 'delivered');
    expect(delivered.events.filter((e) => e.to === 'paid')).toHaveLength(1);
    await stripeSim.settled();
    expect(await payment(placed.body.paymentId!)).toMatchObject({
      state: 'succeeded',
      captured: '490',
    });
  });

  it('cancels the order when the card is declined, and releases the authorisation when the operator declines', async () => {
    const declined = await t.order(payer.accessToken, { payWith: 'stripe' });
    await confirm(declined.body.clientSecret!, 'pm_card_chargeDeclinedInsufficientFunds').catch(
      () => undefined,
    );
    const cancelled = await t.waitState(payer.accessToken, declined.body.id, 'cancelled');
    expect(cancelled.failureReason).toBe('payment_failed');

    t.dtone.options.failureRate = 1;
    const failing = await t.order(payer.accessToken, { payWith: 'stripe' });
    await confirm(failing.body.clientSecret!);
    const refunded = await t.waitState(payer.accessToken, failing.body.id, 'refunded');
    expect(refunded.failureReason).toBe('aggregator_declined');
    expect(await payment(failing.body.paymentId!)).toMatchObject({
      state: 'cancelled',
      captured: '0',
    });
  });

  it('expires an order whose payment was never authorised in time (an admin retry runs the check)', async () => {
    const placed = await t.order(payer.accessToken, { payWith: 'stripe' });
    // Time is the one thing mocked: the order is made older than the payment timeout.
    await t.query(`UPDATE topup_orders SET created_at = now() - interval '1 hour' WHERE id = $1`, [
      placed.body.id,
    ]);
    const retried = await t.api.request('POST', `/v1/topup/orders/${placed.body.id}/retry`, {
      token: admin.accessToken,
      body: { reason: 'stuck' },
    });
    expect(retried.status).toBe(200);
    const expired = await t.waitState(payer.accessToken, placed.body.id, 'expired');
    expect(expired.failureReason).toBe('payment_timeout');
    expect(await payment(placed.body.paymentId!)).toMatchObject({ state: 'cancelled' });
  });
});
