import { io, type Socket } from 'socket.io-client';
import { Webhook } from 'standardwebhooks';
import { signedInUser, type SignedInUser } from '../factories/users';
import { HttpRecorder } from '../setup/receivers';
import type { TestServer } from '../setup/apps';
import { MX_PHONE, TopupHarness, waitFor, type OrderBody } from './topup-harness';

const EVENTS_DELIVERED = [
  { from: null, to: 'created' },
  { from: 'created', to: 'paid' },
  { from: 'paid', to: 'submitted' },
  { from: 'submitted', to: 'delivered' },
];
const EVENTS_REFUNDED = [
  { from: null, to: 'created' },
  { from: 'created', to: 'paid' },
  { from: 'paid', to: 'submitted' },
  { from: 'submitted', to: 'failed' },
  { from: 'failed', to: 'refunding' },
  { from: 'refunding', to: 'refunded' },
];
const path = (order: OrderBody) => order.events.map(({ from, to }) => ({ from, to }));

describe('top-up orders (DT One simulator over HTTP, real inbox, worker, ledger and sockets)', () => {
  const t = new TopupHarness('topup');
  let worker: TestServer;
  let consumer: SignedInUser;
  let admin: SignedInUser;

  beforeAll(async () => {
    await t.start();
    worker = await t.startWorker();
    [consumer, admin] = await Promise.all([t.consumer(), signedInUser(t.api, { role: 'admin' })]);
  }, 120_000);
  beforeEach(() => {
    t.dtone.callbacks = { copies: 1, lossRate: 0, beforeConfirmReturns: false };
    t.dtone.options.failureRate = 0;
    t.dtone.outage = false;
  });
  afterEach(async () => {
    await t.dtone.settled();
    await t.expectBooksClean();
  });
  afterAll(() => t.stop());

  it('caches the generated catalogue of 132 operators in 44 countries and finds a number’s operator', async () => {
    const byCountry = await t.api.request('GET', '/v1/topup/products?country=MEX', {
      token: consumer.accessToken,
    });
    expect(byCountry.status).toBe(200);
    expect(byCountry.body.products).toHaveLength(9);
    const [counts] = await t.query<{ operators: number; countries: number; products: number }>(
      `SELECT count(*)::int AS operators, count(DISTINCT country_iso)::int AS countries,
              (SELECT count(*)::int FROM topup_products) AS products FROM topup_operators`,
    );
    expect(counts).toEqual({ operators: 132, countries: 44, products: 396 });

    const byPhone = await t.api.request('GET', '/v1/topup/products?phone=%2B525512345670', {
      token: consumer.accessToken,
    });
    expect(byPhone.status).toBe(200);
    expect(byPhone.body.phone).toBe(MX_PHONE);
    expect(byPhone.body.operatorId).toBe('1000');
    expect(byPhone.body.products).toEqual([
      {
        id: '10000',
        name: '85.5 MXN',
        operatorId: '1000',
        operatorName: 'Movil Mexico',
        country: 'MEX',
        destinationAmount: '85.5',
        destinationCurrency: 'MXN',
        cost: '475',
        costAsset: 'USD',
      },
      expect.objectContaining({ id: '10001', cost: '950' }),
      expect.objectContaining({ id: '10002', cost: '1900' }),
    ]);
  });

  it('refuses an invalid number, and a number of another country than asked, naming the field', async () => {
    const invalid = await t.api.request('GET', '/v1/topup/products?phone=%2B5255123', {
      token: consumer.accessToken,
    });
    expect(invalid.status).toBe(422);
    expect(invalid.body).toMatchObject({ code: 'orders.invalid_phone', field: 'phone' });
    const elsewhere = await t.api.request(
      'GET',
      '/v1/topup/products?country=GTM&phone=%2B525512345670',
      {
        token: consumer.accessToken,
      },
    );
    expect(elsewhere.status).toBe(422);
    expect(elsewhere.body).toMatchObject({ code: 'orders.operator_not_found', field: 'country' });
  });

  it('quotes the cost plus our fee with the FX rate the product implies', async () => {
    const quote = await t.api.request('POST', '/v1/topup/quotes', {
      token: consumer.accessToken,
      body: { productId: '10000', phone: MX_PHONE },
    });
    expect(quote.status).toBe(201);
    expect(quote.body).toEqual({
      id: expect.any(String),
      productId: '10000',
      phone: MX_PHONE,
      asset: 'USD',
      cost: '475',
      fee: '15',
      commission: '0',
      price: '490',
      fxRate: '18.000000',
      destinationAmount: '85.5',
      destinationCurrency: 'MXN',
      expiresAt: expect.any(String),
    });
  });

  it('delivers a wallet order: held, submitted, delivered by callback, posted to float and fees, live and notified', async () => {
    const before = await t.walletOf(consumer.id);
    const [floatBefore, feesBefore] = [
      await t.systemBalance('aggregator_float'),
      await t.systemBalance('fees'),
    ];
    const socket: Socket = io(`${t.api.url}/topup`, {
      auth: { token: consumer.accessToken },
      transports: ['websocket'],
    });
    const seen: string[] = [];
    socket.on('order', (payload: { state: string }) => seen.push(payload.state));
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    try {
      const placed = await t.order(consumer.accessToken);
      expect(placed.status).toBe(201);
      expect(placed.body).toMatchObject({ state: 'paid', price: '490', payWith: 'wallet' });
      expect((await t.walletOf(consumer.id)).available).toBe(before.available - 490n);

      const delivered = await t.waitState(consumer.accessToken, placed.body.id, 'delivered');
      expect(path(delivered)).toEqual(EVENTS_DELIVERED);
      expect(delivered.aggregatorRef).toMatch(/^\d+$/);
      expect((await t.walletOf(consumer.id)).posted).toBe(before.posted - 490n);
      expect((await t.systemBalance('aggregator_float')) - floatBefore).toBe(475n);
      expect((await t.systemBalance('fees')) - feesBefore).toBe(15n);
      await waitFor(
        async () => seen,
        (states) => states.includes('delivered'),
      );
      expect(seen).toEqual(expect.arrayContaining(['paid', 'submitted', 'delivered']));
      const [note] = await t.query<{ type: string }>(
        `SELECT type FROM notifications WHERE user_id = $1 AND data->>'orderId' = $2`,
        [consumer.id, placed.body.id],
      );
      expect(note).toEqual({ type: 'topup.delivered' });
      const metrics = (await worker.metrics()).body as string;
      expect(metrics).toMatch(/^bourse_topup_delivery_seconds_count [1-9]/m);
      expect(metrics).toMatch(/^bourse_topup_orders\{state="delivered"\} [1-9]/m);
    } finally {
      socket.close();
    }
  });

  it('orders a quote once: the same Idempotency-Key replays, another order of it is refused', async () => {
    const quote = await t.api.request('POST', '/v1/topup/quotes', {
      token: consumer.accessToken,
      body: { productId: '10001', phone: MX_PHONE },
    });
    const send = (key: string) =>
      t.api.request('POST', '/v1/topup/orders', {
        token: consumer.accessToken,
        headers: { 'idempotency-key': key },
        body: { quoteId: quote.body.id },
      });
    const first = await send('topup-key-1');
    const replay = await send('topup-key-1');
    expect(replay.status).toBe(201);
    expect(replay.body.id).toBe(first.body.id);
    const second = await send('topup-key-2');
    expect(second.status).toBe(409);
    expect(second.body).toMatchObject({ code: 'orders.quote_used', field: 'quoteId' });
    await t.waitState(consumer.accessToken, first.body.id, 'delivered');
  });

  it('settles once when the aggregator sends every callback three times, and once more late', async () => {
    t.dtone.callbacks.copies = 3;
    const placed = await t.order(consumer.accessToken);
    const delivered = await t.waitState(consumer.accessToken, placed.body.id, 'delivered');
    await t.dtone.settled();
    await t.dtone.resendCallback(Number(delivered.aggregatorRef));
    await waitFor(
      () =>
        t.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM inbox WHERE provider = 'dtone' AND processed_at IS NULL`,
        ),
      ([row]) => row!.n === 0,
    );
    expect(path(await t.read(consumer.accessToken, placed.body.id))).toEqual(EVENTS_DELIVERED);
    expect(path(delivered)).toEqual(EVENTS_DELIVERED);
    const transfers = await t.query<{ code: string; amount: string }>(
      `SELECT code, amount FROM ledger_transfers WHERE metadata->>'orderId' = $1 ORDER BY code`,
      [placed.body.id],
    );
    expect(transfers).toEqual([
      { code: 'topup.fee', amount: '15' },
      { code: 'topup.hold', amount: '490' },
    ]);
    const [inbox] = await t.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM inbox WHERE provider = 'dtone' AND payload->>'external_id' = $1`,
      [placed.body.id],
    );
    expect(inbox!.n).toBe(1);
  });

  it('delivers when the callback arrives before the submit call returns', async () => {
    t.dtone.callbacks.beforeConfirmReturns = true;
    const placed = await t.order(consumer.accessToken);
    const delivered = await t.waitState(consumer.accessToken, placed.body.id, 'delivered');
    expect(path(delivered)).toEqual(EVENTS_DELIVERED);
  });

  it('resolves a lost callback by polling the status', async () => {
    t.dtone.callbacks.lossRate = 1;
    const placed = await t.order(consumer.accessToken);
    const delivered = await t.waitState(consumer.accessToken, placed.body.id, 'delivered');
    expect(delivered.events.at(-1)).toMatchObject({ to: 'delivered', reason: 'poll 1' });
  });

  it('refuses a callback without the order’s secret, storing nothing', async () => {
    const placed = await t.order(consumer.accessToken);
    const forged = await t.api.request(
      'POST',
      `/v1/webhooks/aggregator?order=${placed.body.id}&secret=guess`,
      {
        body: { id: 1, external_id: placed.body.id, status: { id: 70000, message: 'COMPLETED' } },
      },
    );
    expect(forged.status).toBe(400);
    expect(forged.body.code).toBe('inbox.invalid_signature');
    await t.waitState(consumer.accessToken, placed.body.id, 'delivered');
  });

  it('refunds an order the operator declines, the wallet back where it started', async () => {
    t.dtone.options.failureRate = 1;
    const before = await t.walletOf(consumer.id);
    const placed = await t.order(consumer.accessToken);
    const refunded = await t.waitState(consumer.accessToken, placed.body.id, 'refunded');
    expect(path(refunded)).toEqual(EVENTS_REFUNDED);
    expect(refunded.failureReason).toBe('aggregator_declined');
    expect(await t.walletOf(consumer.id)).toEqual(before);
    const [hold] = await t.query<{ status: string }>(
      `SELECT status FROM ledger_transfers WHERE metadata->>'orderId' = $1`,
      [placed.body.id],
    );
    expect(hold).toEqual({ status: 'voided' });
  });

  it('rides out an aggregator outage: polls until it answers, then delivers', async () => {
    const placed = await t.order(consumer.accessToken, {}, () => (t.dtone.outage = true));
    await waitFor(
      () => t.read(consumer.accessToken, placed.body.id),
      (order) => order.state === 'submitted',
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    t.dtone.outage = false;
    await t.waitState(consumer.accessToken, placed.body.id, 'delivered');
  });

  it('lets staff cancel a paid order before it is submitted (the hold voided), and refuses an illegal move', async () => {
    await t.stopWorker(worker);
    const before = await t.walletOf(consumer.id);
    try {
      const placed = await t.order(consumer.accessToken);
      const cancelled = await t.api.request('POST', `/v1/topup/orders/${placed.body.id}/cancel`, {
        token: admin.accessToken,
        body: { reason: 'customer changed their mind' },
      });
      expect(cancelled.status).toBe(200);
      expect(path(cancelled.body)).toEqual([
        { from: null, to: 'created' },
        { from: 'created', to: 'paid' },
        { from: 'paid', to: 'cancelled' },
      ]);
      expect(await t.walletOf(consumer.id)).toEqual(before);
      const again = await t.api.request('POST', `/v1/topup/orders/${placed.body.id}/cancel`, {
        token: admin.accessToken,
        body: {},
      });
      expect(again.status).toBe(409);
      expect(again.body).toMatchObject({
        code: 'orders.illegal_transition',
        state: 'cancelled',
        to: 'cancelled',
      });
    } finally {
      worker = await t.startWorker();
    }
  });

  it('refunds a delivered order on an admin’s word, reversing every posting', async () => {
    const before = await t.walletOf(consumer.id);
    const placed = await t.order(consumer.accessToken);
    await t.waitState(consumer.accessToken, placed.body.id, 'delivered');
    const refunding = await t.api.request('POST', `/v1/topup/orders/${placed.body.id}/refund`, {
      token: admin.accessToken,
      body: { reason: 'operator reversed the top-up' },
    });
    expect(refunding.status).toBe(200);
    expect(refunding.body.state).toBe('refunding');
    const refunded = await t.waitState(consumer.accessToken, placed.body.id, 'refunded');
    expect(path(refunded).slice(-2)).toEqual([
      { from: 'delivered', to: 'refunding' },
      { from: 'refunding', to: 'refunded' },
    ]);
    expect((await t.walletOf(consumer.id)).posted).toBe(before.posted);
    const [note] = await t.query<{ type: string }>(
      `SELECT type FROM notifications WHERE data->>'orderId' = $1 AND type = 'topup.refunded'`,
      [placed.body.id],
    );
    expect(note).toEqual({ type: 'topup.refunded' });
  });

  it('shows an order to its owner and staff only', async () => {
    const other = await signedInUser(t.api);
    const support = await signedInUser(t.api, { role: 'support' });
    const placed = await t.order(consumer.accessToken);
    const byOther = await t.api.request('GET', `/v1/topup/orders/${placed.body.id}`, {
      token: other.accessToken,
    });
    expect(byOther.status).toBe(404);
    expect(byOther.body.code).toBe('orders.order_not_found');
    const othersList = await t.api.request('GET', '/v1/topup/orders?limit=100', {
      token: other.accessToken,
    });
    expect(othersList.body.orders).toEqual([]);
    const bySupport = await t.api.request('GET', `/v1/topup/orders/${placed.body.id}`, {
      token: support.accessToken,
    });
    expect(bySupport.status).toBe(200);
    const supportCancel = await t.api.request('POST', `/v1/topup/orders/${placed.body.id}/cancel`, {
      token: support.accessToken,
      body: {},
    });
    expect(supportCancel.status).toBe(403);
    const ownList = await t.api.request('GET', '/v1/topup/orders?limit=100', {
      token: consumer.accessToken,
    });
    expect(ownList.body.orders.map((o: OrderBody) => o.id)).toContain(placed.body.id);
    await t.waitState(consumer.accessToken, placed.body.id, 'delivered');
  });

  describe('resellers', () => {
    let receiver: HttpRecorder;
    let reseller: { id: string; userId: string };
    let key: string;
    let endpointSecret: string;

    beforeAll(async () => {
      receiver = await HttpRecorder.start();
      const created = await t.api.request('POST', '/v1/topup/resellers', {
        token: admin.accessToken,
        body: {
          name: 'Corner Shop',
          email: `shop-${Date.now()}@example.com`,
          feeBps: 400,
          commissionBps: 200,
        },
      });
      expect(created.status).toBe(201);
      reseller = created.body;
      const issued = await t.api.request('POST', `/v1/topup/resellers/${reseller.id}/api-keys`, {
        token: admin.accessToken,
        body: { name: 'till 1' },
      });
      expect(issued.status).toBe(201);
      expect(issued.body.scopes).toEqual(['topup', 'webhooks']);
      key = `ApiKey ${issued.body.key}`;
      const endpoint = await t.api.request('POST', '/v1/webhooks/endpoints', {
        token: key,
        body: { url: `${receiver.url}/hooks`, eventTypes: ['topup.delivered', 'topup.refunded'] },
      });
      expect(endpoint.status).toBe(201);
      endpointSecret = endpoint.body.secret;
    });
    afterAll(() => receiver.close());

    it('refuses an order its float cannot cover, writing nothing', async () => {
      const ordersBefore = await t.query(`SELECT id FROM topup_orders WHERE reseller_id = $1`, [
        reseller.id,
      ]);
      const refused = await t.order(key);
      expect(refused.status).toBe(422);
      expect(refused.body).toMatchObject({
        code: 'orders.float_insufficient',
        resellerId: reseller.id,
        available: '0',
        price: '494',
      });
      expect(
        await t.query(`SELECT id FROM topup_orders WHERE reseller_id = $1`, [reseller.id]),
      ).toEqual(ordersBefore);
    });

    it('pays from the float, earns its commission, hears of delivery by a signed webhook, and reads its statement', async () => {
      const deposit = await t.api.request('POST', `/v1/topup/resellers/${reseller.id}/deposits`, {
        token: admin.accessToken,
        headers: { 'idempotency-key': `deposit-${reseller.id}` },
        body: { amount: '10000', reason: 'wire 2026-12-07' },
      });
      expect(deposit.status).toBe(201);
      expect(deposit.body.floatAvailable).toBe('10000');

      const placed = await t.order(key);
      expect(placed.status).toBe(201);
      expect(placed.body).toMatchObject({
        payWith: 'float',
        price: '494',
        fee: '19',
        commission: '9',
      });
      const delivered = await t.waitState(key, placed.body.id, 'delivered');
      expect(path(delivered)).toEqual(EVENTS_DELIVERED);
      const shown = await t.api.request('GET', `/v1/topup/resellers/${reseller.id}`, {
        token: admin.accessToken,
      });
      expect(shown.body.floatAvailable).toBe(String(10_000 - 494 + 9));

      const hook = await waitFor(
        async () => receiver.requests.find((r) => r.body.includes(placed.body.id)),
        Boolean,
      );
      const event = new Webhook(endpointSecret).verify(hook!.body, {
        'webhook-id': hook!.headers['webhook-id'] as string,
        'webhook-timestamp': hook!.headers['webhook-timestamp'] as string,
        'webhook-signature': hook!.headers['webhook-signature'] as string,
      }) as { type: string; data: Record<string, unknown> };
      expect(event).toMatchObject({
        type: 'topup.delivered',
        data: { orderId: placed.body.id, state: 'delivered', price: '494', commission: '9' },
      });

      const statement = await t.api.request('GET', `/v1/topup/resellers/${reseller.id}/statement`, {
        token: admin.accessToken,
      });
      expect(statement.status).toBe(200);
      expect(statement.body.entries.map((e: { code: string }) => e.code)).toEqual([
        'topup.commission',
        'topup.hold',
        'topup.float_deposit',
      ]);
    });

    it('keeps consumers off the float and resellers off wallets', async () => {
      const quote = await t.api.request('POST', '/v1/topup/quotes', {
        token: consumer.accessToken,
        body: { productId: '10000', phone: MX_PHONE },
      });
      const consumerFloat = await t.api.request('POST', '/v1/topup/orders', {
        token: consumer.accessToken,
        body: { quoteId: quote.body.id, payWith: 'float' },
      });
      expect(consumerFloat.status).toBe(422);
      expect(consumerFloat.body).toMatchObject({
        code: 'orders.invalid_payment_method',
        field: 'payWith',
      });
      const resellerWallet = await t.order(key, { payWith: 'wallet' });
      expect(resellerWallet.status).toBe(422);
      expect(resellerWallet.body.code).toBe('orders.invalid_payment_method');
    });
  });
});
