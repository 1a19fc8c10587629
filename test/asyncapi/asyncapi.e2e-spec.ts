import { AlertEvaluator } from '@bourse/alerts';
import { MarketChannels, MarketKeys, type Tick } from '@bourse/market-data';
import { NotificationsService } from '@bourse/notifications';
import { createRedis, Database } from '@bourse/platform';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import type Redis from 'ioredis';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { io, type Socket } from 'socket.io-client';
import { TickTape } from '../factories/alerts';
import { closeNow, createAuction, expire, fund } from '../factories/auctions';
import { ledgerOf } from '../factories/ledger';
import { signedInUser, type SignedInUser } from '../factories/users';
import { TopupHarness, waitFor } from '../orders/topup-harness';

// The top-up namespace needs the DT One simulator and a database of its own (the harness); the
// other namespaces share its api. Alerts fire only when a test evaluates a tick on its worker.
const t = new TopupHarness('asyncapi', { ALERTS_EVALUATOR: 'off' });
let redis: Redis;
let document: any;
let user: SignedInUser;
const sockets: Socket[] = [];

beforeAll(async () => {
  await t.start();
  redis = createRedis(t.api.config, 'asyncapi-test');
  document = (await t.api.request('GET', '/asyncapi.json')).body;
  user = await t.consumer(100_000n);
}, 60_000);

afterAll(async () => {
  sockets.forEach((socket) => socket.disconnect());
  if (t.api) {
    expect(await ledgerOf(t.api.app).statements.verifyInvariants()).toMatchObject({ ok: true });
  }
  await redis?.quit();
  await t.stop();
});

/** A connected socket on `namespace`, listening from the start (a server event may come first). */
async function connect(namespace: string, auth: Record<string, unknown> = {}) {
  const socket = io(`${t.api.url}${namespace}`, {
    auth,
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  sockets.push(socket);
  const heard: { event: string; payload: unknown }[] = [];
  socket.onAny((event: string, payload: unknown) => heard.push({ event, payload }));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  const next = async (event: string): Promise<unknown> => {
    const found = await waitFor(
      async () => heard.find((h) => h.event === event),
      (h) => h !== undefined,
    );

    return found!.payload;
  };

  return { socket, heard, next };
}

/** The schema of one message of a channel, compiled. */
function schemaOf(channel: string, message: string): ValidateFunction {
  const payload = document.channels[channel].messages[message].payload;

  const ajv = new Ajv2020({ strict: false });
  ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/);

  return ajv.compile(payload);
}

function expectValid(channel: string, message: string, value: unknown): void {
  const validate = schemaOf(channel, message);
  expect({ message, valid: validate(value), errors: validate.errors }).toEqual({
    message,
    valid: true,
    errors: null,
  });
}

it('serves the committed asyncapi.json at /asyncapi.json, a channel per namespace', async () => {
  const response = await t.api.request('GET', '/asyncapi.json');
  expect(response.status).toBe(200);
  expect(response.body).toEqual(JSON.parse(readFileSync('asyncapi.json', 'utf8')));
  expect(document.asyncapi).toBe('3.0.0');
  expect(
    Object.fromEntries(
      Object.entries(document.channels).map(([key, c]: [string, any]) => [key, c.address]),
    ),
  ).toEqual({
    prices: '/prices',
    notifications: '/notifications',
    alerts: '/alerts',
    auctions: '/auctions',
    topup: '/topup',
  });
  expect(Object.keys(document.operations).sort()).toEqual([
    'alerts.ack',
    'alerts.alert',
    'alerts.ready',
    'auctions.bid',
    'auctions.bid_event',
    'auctions.closed',
    'auctions.extended',
    'auctions.join',
    'auctions.leave',
    'notifications.notification',
    'prices.candle',
    'prices.subscribe',
    'prices.subscribe_candles',
    'prices.tick',
    'prices.unsubscribe',
    'prices.unsubscribe_candles',
    'topup.order',
  ]);
  // Every reference resolves inside the document.
  const refs = JSON.stringify(document).match(/"\$ref":"#\/[^"]+"/g) ?? [];
  for (const ref of refs) {
    const path = ref.slice(10, -1).split('/');
    expect({ ref, target: path.reduce((node: any, key) => node?.[key], document) }).toEqual({
      ref,
      target: expect.anything(),
    });
  }
});

it('/prices: every ack, a tick and a candle update', async () => {
  const { socket: client } = await connect('/prices');
  const tick: Tick = { symbol: 'XAUUSD', price: '2650.25', ts: Date.now(), seq: 7 };
  await redis.hset(MarketKeys.lastPrices, tick.symbol, JSON.stringify(tick));
  const subscribe = { symbols: ['XAUUSD', 'NOPE'] };
  expectValid('prices', 'subscribe', subscribe);
  const ack = await client.emitWithAck('subscribe', subscribe);
  expect(ack).toMatchObject({ ok: true, snapshot: [tick] });
  expectValid('prices', 'subscribe_ack', ack);
  expectValid(
    'prices',
    'subscribe_ack',
    await client.emitWithAck('subscribe', { symbols: 'XAUUSD' }),
  );

  const next = new Promise((resolve) => client.once('tick', resolve));
  const live = { ...tick, seq: 8, price: '2650.30' };
  await redis.publish(MarketChannels.ticks(t.redisPrefix), JSON.stringify(live));
  expectValid('prices', 'tick', await next);

  const series = { symbol: 'XAUUSD', timeframe: '1m' };
  expectValid('prices', 'subscribe_candles', series);
  expectValid(
    'prices',
    'subscribe_candles_ack',
    await client.emitWithAck('subscribe_candles', series),
  );
  const candle = new Promise((resolve) => client.once('candle', resolve));
  const time = Math.floor(Date.now() / 60_000) * 60;
  const bar = { time, open: '1.00', high: '3.00', low: '1.00', close: '2.00', tickCount: 3 };
  await redis.publish(MarketChannels.candles(t.redisPrefix), JSON.stringify({ ...series, bar }));
  expectValid('prices', 'candle', await candle);
  expectValid(
    'prices',
    'unsubscribe_candles_ack',
    await client.emitWithAck('unsubscribe_candles', series),
  );
  expectValid('prices', 'unsubscribe_ack', await client.emitWithAck('unsubscribe', subscribe));
});

it('/notifications: a live notification, unread and read', async () => {
  const { next, heard } = await connect('/notifications', { token: user.accessToken });
  const notifications = t.api.app.get(NotificationsService);
  const sent = await t.api.app.get(Database).transaction(undefined, (tx) =>
    notifications.notify(tx, {
      userId: user.id,
      type: 'test.note',
      title: 'Live',
      body: 'A message',
      data: { orderId: 'o-1' },
    }),
  );
  await notifications.publishLive(sent.id);
  const live = await next('notification');
  expect(live).toMatchObject({ id: sent.id, title: 'Live', data: { orderId: 'o-1' } });
  expectValid('notifications', 'notification', live);

  const read = await t.api.request('POST', `/v1/notifications/${sent.id}/read`, {
    token: user.accessToken,
  });
  expect(read.status).toBeLessThan(300);
  heard.length = 0;
  await notifications.publishLive(sent.id);
  const again = await next('notification');
  expect(again).toMatchObject({ id: sent.id, readAt: expect.any(String) });
  expectValid('notifications', 'notification', again);
});

it('/alerts: ready on connect, the ack reply, a fired alert, resync on an unknown cursor', async () => {
  expectValid('alerts', 'ack', { seq: 0 });
  const fresh = await connect('/alerts', { token: user.accessToken });
  const ready = await fresh.next('ready');
  expect(ready).toEqual({ from: 0, lastSeq: 0, resync: false });
  expectValid('alerts', 'ready', ready);
  const acked = await fresh.socket.emitWithAck('ack', { seq: 0 });
  expect(acked).toEqual({ ok: true, ackedSeq: 0 });
  expectValid('alerts', 'ack_ack', acked);
  const refused = await fresh.socket.emitWithAck('ack', { seq: -1 });
  expect(refused).toMatchObject({ ok: false, error: { code: 'alerts.invalid_payload' } });
  expectValid('alerts', 'ack_ack', refused);

  // A fired alert, live: a rule, then a tick evaluated on a worker.
  const rule = await t.api.request('POST', '/v1/alerts', {
    token: user.accessToken,
    body: {
      symbol: 'XPTUSD',
      operator: 'greater_than',
      value: '1.00',
      frequency: 'every_time',
      minIntervalSeconds: 0,
    },
  });
  expect(rule.status).toBe(201);
  const worker = await t.startWorker();
  try {
    await worker.app.get(AlertEvaluator).refresh();
    await worker.app.get(AlertEvaluator).evaluate(new TickTape().next('XPTUSD', '1000.00'));
    const alert = await fresh.next('alert');
    expect(alert).toMatchObject({ seq: 1, alertId: rule.body.id, price: '1000.00' });
    expectValid('alerts', 'alert', alert);
  } finally {
    await t.stopWorker(worker);
  }

  const auth = { token: user.accessToken, lastSeq: 9, lastEventId: 'not-in-this-stream' };
  const validateAuth = new Ajv2020({ strict: false }).compile(
    document.channels.alerts['x-handshake-auth'],
  );
  expect(validateAuth(auth)).toBe(true);
  const lost = await connect('/alerts', auth);
  const resync = await lost.next('ready');
  expect(resync).toMatchObject({ resync: true });
  expectValid('alerts', 'ready', resync);
}, 60_000);

it('/auctions: join snapshot, bid ack and refusal, bid, extended and closed events, leave', async () => {
  const admin = await signedInUser(t.api, { role: 'admin' });
  const bidder = await signedInUser(t.api);
  await fund(ledgerOf(t.api.app), bidder.id, 1_000_000n);
  const lot = await createAuction(t.api, admin, { extendSeconds: 60, durationSeconds: 30 });
  const watcher = await connect('/auctions');
  const bidding = await connect('/auctions', { token: bidder.accessToken });

  const join = { auctionId: lot.id };
  expectValid('auctions', 'join', join);
  const joined = await watcher.socket.emitWithAck('join', join);
  expect(joined).toMatchObject({ ok: true, snapshot: { auctionId: lot.id } });
  expectValid('auctions', 'join_ack', joined);
  expectValid('auctions', 'join_ack', await watcher.socket.emitWithAck('join', { auctionId: 1 }));
  expect(await bidding.socket.emitWithAck('join', join)).toMatchObject({ ok: true });
  // Bids count from the lot's start (same machine, same clock).
  await sleep(Math.max(0, Date.parse(lot.startsAt) - Date.now()) + 100);

  const bid = { auctionId: lot.id, amount: '10000', seenHighest: null, clientBidId: 'b-1' };
  expectValid('auctions', 'bid', bid);
  const accepted = await bidding.socket.emitWithAck('bid', bid);
  expect(accepted).toMatchObject({ ok: true, bid: { leading: true, highest: '10000' } });
  expectValid('auctions', 'bid_ack', accepted);
  const tooLow = await bidding.socket.emitWithAck('bid', { ...bid, clientBidId: 'b-2' });
  expect(tooLow).toMatchObject({ ok: false, state: { highest: '10000' } });
  expectValid('auctions', 'bid_ack', tooLow);

  expectValid('auctions', 'bid_event', await watcher.next('bid'));
  expectValid('auctions', 'extended', await watcher.next('extended'));
  await expire(t.api.app.get(Database), lot.id);
  await closeNow(t.api, lot.id);
  const closed = await watcher.next('closed');
  expect(closed).toMatchObject({ auctionId: lot.id, outcome: 'sold', price: '10000' });
  expectValid('auctions', 'closed', closed);

  const left = await watcher.socket.emitWithAck('leave', join);
  expect(left).toEqual({ ok: true });
  expectValid('auctions', 'leave_ack', left);
}, 60_000);

it('/topup: the order event of a wallet order', async () => {
  const { next } = await connect('/topup', { token: user.accessToken });
  const placed = await t.order(user.accessToken);
  expect(placed.status).toBe(201);
  const change = await next('order');
  expect(change).toMatchObject({ id: placed.body.id, state: 'paid' });
  expectValid('topup', 'order', change);
});
