import { MarketChannels, MarketKeys, type Tick } from '@bourse/market-data';
import { createRedis } from '@bourse/platform';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import type Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { io, type Socket } from 'socket.io-client';
import { startApi, type TestServer } from '../setup/apps';

const prefix = `${process.env.REDIS_KEY_PREFIX}-asyncapi-${randomUUID().slice(0, 8)}`;
let api: TestServer;
let redis: Redis;
let client: Socket;
let document: any;

beforeAll(async () => {
  api = await startApi({ REDIS_KEY_PREFIX: prefix });
  redis = createRedis(api.config, 'asyncapi-test');
  document = (await api.request('GET', '/asyncapi.json')).body;
  client = io(`${api.url}/prices`, { transports: ['websocket'] });
  await new Promise<void>((resolve) => client.once('connect', () => resolve()));
});

afterAll(async () => {
  client.disconnect();
  await redis.quit();
  await api.close();
});

/** The schema of one message of the document, compiled. */
function schemaOf(message: string): ValidateFunction {
  const payload = document.channels.prices.messages[message].payload;

  return new Ajv2020({ strict: false }).compile(payload);
}

function expectValid(message: string, value: unknown): void {
  const validate = schemaOf(message);
  expect({ message, valid: validate(value), errors: validate.errors }).toEqual({
    message,
    valid: true,
    errors: null,
  });
}

it('serves the committed asyncapi.json at /asyncapi.json', async () => {
  const response = await api.request('GET', '/asyncapi.json');
  expect(response.status).toBe(200);
  expect(response.body).toEqual(JSON.parse(readFileSync('asyncapi.json', 'utf8')));
  expect(document.asyncapi).toBe('3.0.0');
  expect(Object.keys(document.operations).sort()).toEqual([
    'candle',
    'subscribe',
    'subscribe_candles',
    'tick',
    'unsubscribe',
    'unsubscribe_candles',
  ]);
});

it('describes what the gateway really sends: every ack, a tick and a candle update', async () => {
  const tick: Tick = { symbol: 'XAUUSD', price: '2650.25', ts: Date.now(), seq: 7 };
  await redis.hset(MarketKeys.lastPrices, tick.symbol, JSON.stringify(tick));
  const subscribe = { symbols: ['XAUUSD', 'NOPE'] };
  expectValid('subscribe', subscribe);
  const ack = await client.emitWithAck('subscribe', subscribe);
  expect(ack).toMatchObject({ ok: true, snapshot: [tick] });
  expectValid('subscribe_ack', ack);
  expectValid('subscribe_ack', await client.emitWithAck('subscribe', { symbols: 'XAUUSD' }));

  const next = new Promise((resolve) => client.once('tick', resolve));
  const live = { ...tick, seq: 8, price: '2650.30' };
  await redis.publish(MarketChannels.ticks(prefix), JSON.stringify(live));
  expectValid('tick', await next);

  const series = { symbol: 'XAUUSD', timeframe: '1m' };
  expectValid('subscribe_candles', series);
  expectValid('subscribe_candles_ack', await client.emitWithAck('subscribe_candles', series));
  const candle = new Promise((resolve) => client.once('candle', resolve));
  const time = Math.floor(Date.now() / 60_000) * 60;
  const bar = { time, open: '1.00', high: '3.00', low: '1.00', close: '2.00', tickCount: 3 };
  await redis.publish(MarketChannels.candles(prefix), JSON.stringify({ ...series, bar }));
  expectValid('candle', await candle);
  expectValid('subscribe_candles_ack', await client.emitWithAck('subscribe_candles', series));
  expectValid('unsubscribe_candles_ack', await client.emitWithAck('unsubscribe_candles', series));
  expectValid('unsubscribe_ack', await client.emitWithAck('unsubscribe', subscribe));
});
