import {
  MarketChannels,
  MarketKeys,
  PriceFanout,
  PricesErrorCode,
  type ChartBar,
  type Tick,
} from '@bourse/market-data';
import { createRedis } from '@bourse/platform';
import { Module } from '@nestjs/common';
import {
  ConnectedSocket,
  SubscribeMessage,
  WebSocketGateway,
  WebSocketServer,
} from '@nestjs/websockets';
import type Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Namespace, Socket } from 'socket.io';
import { io as connect, type Socket as ClientSocket } from 'socket.io-client';
import WebSocket from 'ws';
import { signedInUser } from '../factories/users';
import { startApi, type TestServer } from '../setup/apps';

/** Test-only view into the `/prices` namespace: the principal and the engine's buffers. */
@WebSocketGateway({ namespace: '/prices' })
class ProbeGateway {
  @WebSocketServer() namespace!: Namespace;

  @SubscribeMessage('whoami')
  whoami(@ConnectedSocket() socket: Socket): { principal: unknown } {
    // Wrapped: Nest sends no ack for a null return.
    return { principal: socket.data.principal ?? null };
  }
}

@Module({ providers: [ProbeGateway] })
class ProbeModule {}

type Connected = { ok: true; client: ClientSocket } | { ok: false; data: unknown };

const prefix = `${process.env.REDIS_KEY_PREFIX}-prices-${randomUUID().slice(0, 8)}`;
const env = { REDIS_KEY_PREFIX: prefix };
const clients: ClientSocket[] = [];
const servers: TestServer[] = [];
let api: TestServer;
let redis: Redis;
const seqs = new Map<string, number>();

beforeAll(async () => {
  api = await startApi(env, [ProbeModule]);
  servers.push(api);
  redis = createRedis(api.config, 'test-publisher');
});

afterEach(() => {
  clients.splice(0).forEach((client) => client.disconnect());
});

afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
  await redis.quit();
});

/** A tick as the worker's publisher writes it: the last-price hash, then the channel. */
async function publish(symbol: string, price: string): Promise<Tick> {
  const seq = (seqs.get(symbol) ?? 0) + 1;
  seqs.set(symbol, seq);
  const tick: Tick = { symbol, price, ts: Date.now(), seq };
  await redis.hset(MarketKeys.lastPrices, symbol, JSON.stringify(tick));
  await redis.publish(MarketChannels.ticks(prefix), JSON.stringify(tick));

  return tick;
}

async function open(
  server: TestServer,
  options: { token?: string; forwardedFor?: string } = {},
): Promise<Connected> {
  const client = connect(`${server.url}/prices`, {
    auth: options.token ? { token: options.token } : {},
    extraHeaders: options.forwardedFor ? { 'x-forwarded-for': options.forwardedFor } : {},
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  clients.push(client);

  return new Promise((resolve) => {
    client.once('connect', () => resolve({ ok: true, client }));
    client.once('connect_error', (error: Error & { data?: unknown }) =>
      resolve({ ok: false, data: error.data }),
    );
  });
}

async function connected(server = api, options: { token?: string } = {}): Promise<ClientSocket> {
  const outcome = await open(server, options);
  if (!outcome.ok) {
    throw new Error(`connect failed: ${JSON.stringify(outcome.data)}`);
  }

  return outcome.client;
}

/** Collects a client's events of one name; `until` waits for a predicate over them. */
function collect<T>(client: ClientSocket, event: string) {
  const items: T[] = [];
  client.on(event, (item: T) => items.push(item));

  return {
    items,
    async until(done: (items: T[]) => boolean, timeoutMs = 5000): Promise<T[]> {
      const deadline = Date.now() + timeoutMs;
      while (!done(items)) {
        if (Date.now() > deadline) {
          throw new Error(`timed out waiting for ${event}: got ${JSON.stringify(items)}`);
        }
        await sleep(10);
      }

      return items;
    },
  };
}

describe('/prices gateway', () => {
  it('acks a subscription with the snapshot, then streams ticks', async () => {
    const last = await publish('XAUUSD', '2650.10');
    const client = await connected();
    const ticks = collect<Tick>(client, 'tick');

    const ack = await client.emitWithAck('subscribe', { symbols: ['XAUUSD'] });
    expect(ack).toEqual({ ok: true, snapshot: [last], rejected: [] });

    const next = await publish('XAUUSD', '2650.20');
    await publish('XAGUSD', '31.300'); // not subscribed
    expect(await ticks.until((t) => t.length >= 1)).toEqual([next]);
    await sleep(100);
    expect(ticks.items).toEqual([next]);
  });

  it('rejects unknown symbols in the ack and subscribes to the rest', async () => {
    const client = await connected();
    const ack = await client.emitWithAck('subscribe', { symbols: ['NOPE', 'XAGUSD', 'XAGUSD'] });
    expect(ack).toMatchObject({
      ok: true,
      rejected: [{ symbol: 'NOPE', reason: PricesErrorCode.UnknownSymbol }],
    });
    expect(ack.snapshot.map((t: Tick) => t.symbol)).toEqual(['XAGUSD']);
  });

  it('answers a malformed payload with an error code and keeps the connection', async () => {
    const client = await connected();
    for (const payload of [
      undefined,
      'XAUUSD',
      { symbols: 'XAUUSD' },
      { symbols: [] },
      { symbols: [42] },
      { symbols: ['x'.repeat(100)] },
    ]) {
      const ack = await client.emitWithAck('subscribe', payload);
      expect(ack).toMatchObject({ ok: false, error: { code: PricesErrorCode.InvalidPayload } });
    }
    expect(await client.emitWithAck('unsubscribe', null)).toMatchObject({
      ok: false,
      error: { code: PricesErrorCode.InvalidPayload },
    });
    expect(
      await client.emitWithAck('subscribe_candles', { symbol: 'XAUUSD', timeframe: '2m' }),
    ).toMatchObject({ ok: false, error: { code: PricesErrorCode.UnknownTimeframe } });
    expect(
      await client.emitWithAck('subscribe_candles', { symbol: 'NOPE', timeframe: '1m' }),
    ).toMatchObject({ ok: false, error: { code: PricesErrorCode.UnknownSymbol } });
    client.emit('subscribe', { symbols: ['XAUUSD'] }); // no ack callback: must not crash
    expect(await client.emitWithAck('subscribe', { symbols: ['XAUUSD'] })).toMatchObject({
      ok: true,
    });
    expect(client.connected).toBe(true);
  });

  it('stops sending a symbol after unsubscribe', async () => {
    const client = await connected();
    const ticks = collect<Tick>(client, 'tick');
    await client.emitWithAck('subscribe', { symbols: ['XPTUSD', 'EURUSD'] });
    expect(await client.emitWithAck('unsubscribe', { symbols: ['XPTUSD', 'NOPE'] })).toEqual({
      ok: true,
      rejected: [{ symbol: 'NOPE', reason: PricesErrorCode.UnknownSymbol }],
    });

    await publish('XPTUSD', '981.00');
    const eur = await publish('EURUSD', '1.08010');
    // Ticks keep the channel's order: had XPTUSD been sent, it would have come first.
    expect(await ticks.until((t) => t.length >= 1)).toEqual([eur]);
  });

  it('delivers the same ticks to clients of two api nodes sharing Redis', async () => {
    const second = await startApi(env);
    servers.push(second);
    const [a, b] = [await connected(api), await connected(second)];
    const [ticksA, ticksB] = [collect<Tick>(a, 'tick'), collect<Tick>(b, 'tick')];
    await a.emitWithAck('subscribe', { symbols: ['BTCUSD'] });
    await b.emitWithAck('subscribe', { symbols: ['BTCUSD'] });

    const sent: Tick[] = [];
    for (let i = 0; i < 20; i++) {
      sent.push(await publish('BTCUSD', `${95000 + i}.00`));
    }
    expect(await ticksA.until((t) => t.length >= 20)).toEqual(sent);
    expect(await ticksB.until((t) => t.length >= 20)).toEqual(sent);
  });

  it('relays candle updates and acks the forming bar', async () => {
    const client = await connected();
    const candles = collect<unknown>(client, 'candle');
    const ack = await client.emitWithAck('subscribe_candles', {
      symbol: 'XAUUSD',
      timeframe: '1m',
    });
    expect(ack).toEqual({ ok: true, bar: null });

    const time = Math.floor(Date.now() / 60_000) * 60;
    const bar: ChartBar = { time, open: '1', high: '3', low: '1', close: '2', tickCount: 3 };
    const update = { symbol: 'XAUUSD', timeframe: '1m', bar };
    await redis.publish(MarketChannels.candles(prefix), JSON.stringify(update));
    const other = { symbol: 'XAUUSD', timeframe: '5m', bar: { ...bar, time: time - 60 } };
    await redis.publish(MarketChannels.candles(prefix), JSON.stringify(other));
    expect(await candles.until((c) => c.length >= 1)).toEqual([update]);

    const late = await connected();
    expect(
      await late.emitWithAck('subscribe_candles', { symbol: 'XAUUSD', timeframe: '1m' }),
    ).toEqual({ ok: true, bar });
    expect(
      await client.emitWithAck('unsubscribe_candles', { symbol: 'XAUUSD', timeframe: '1m' }),
    ).toEqual({ ok: true });
    await redis.publish(MarketChannels.candles(prefix), JSON.stringify(update));
    await sleep(100);
    expect(candles.items).toHaveLength(1);
  });

  it('authenticates optionally: token -> principal, none -> anonymous, bad -> refused', async () => {
    const user = await signedInUser(api);
    const withToken = await connected(api, { token: user.accessToken });
    expect(await withToken.emitWithAck('whoami')).toMatchObject({
      principal: { kind: 'user', userId: user.id },
    });
    const anonymous = await connected();
    expect(await anonymous.emitWithAck('whoami')).toEqual({ principal: null });
    expect(await open(api, { token: 'garbage' })).toEqual({
      ok: false,
      data: { code: 'auth.invalid_token', status: 401 },
    });
  });

  it('limits connections per client address, honouring TRUST_PROXY', async () => {
    const limited = await startApi({ ...env, PRICES_MAX_CONNECTIONS_PER_IP: '2' });
    const proxied = await startApi({
      ...env,
      PRICES_MAX_CONNECTIONS_PER_IP: '1',
      TRUST_PROXY: 'loopback',
    });
    servers.push(limited, proxied);

    const first = await connected(limited);
    await connected(limited);
    expect(await open(limited)).toEqual({
      ok: false,
      data: { code: 'socket.too_many_connections', status: 429 },
    });
    first.disconnect();
    await sleep(100);
    expect((await open(limited)).ok).toBe(true);

    // Behind a trusted proxy, the forwarded address is the client.
    expect((await open(proxied, { forwardedFor: '203.0.113.1' })).ok).toBe(true);
    expect((await open(proxied, { forwardedFor: '203.0.113.2' })).ok).toBe(true);
    expect(await open(proxied, { forwardedFor: '203.0.113.1' })).toMatchObject({ ok: false });
  });

  it('conflates for a client that stops reading: bounded buffers, then the newest price', async () => {
    // A raw Engine.IO client whose TCP socket stops being read.
    const raw = new WebSocket(
      `${api.url.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket`,
    );
    const frames: string[] = [];
    raw.on('message', (data: Buffer) => frames.push(data.toString()));
    const frame = async (prefixOf: string): Promise<string> => {
      const deadline = Date.now() + 5000;
      for (;;) {
        const found = frames.find((f) => f.startsWith(prefixOf));
        if (found) {
          return found;
        }
        if (Date.now() > deadline) {
          throw new Error(`no frame ${prefixOf}: ${frames.join(' | ')}`);
        }
        await sleep(10);
      }
    };
    await frame('0{');
    raw.send('40/prices,');
    const sid = (
      JSON.parse((await frame('40/prices,')).slice('40/prices,'.length)) as { sid: string }
    ).sid;
    raw.send('42/prices,1["subscribe",{"symbols":["XPTUSD"]}]');
    await frame('43/prices,1');
    raw.pause();

    const fanout = api.app.get(PriceFanout);
    const probe = api.app.get(ProbeGateway);
    const conn = probe.namespace.sockets.get(sid)!.conn as unknown as {
      writeBuffer: unknown[];
      transport: { socket: { _socket: { writableLength: number } } };
    };
    const conflated = async (): Promise<number> => {
      const text = (await api.metrics()).body;

      return Number(/^market_ticks_conflated_total (\d+)/m.exec(text)?.[1] ?? 0);
    };
    const before = await conflated();

    // Publish in batches until the kernel's socket buffers are full and conflation starts, then
    // some more: what the server holds must not grow with what is published.
    let last = 0;
    let batches = 0;
    const maxUserland = { pending: 0, writeBuffer: 0, bytes: 0 };
    for (let extra = 0; extra < 5 && batches < 60; batches++) {
      const pipeline = redis.pipeline();
      for (let i = 0; i < 5000; i++) {
        last = (seqs.get('XPTUSD') ?? 0) + 1;
        seqs.set('XPTUSD', last);
        const tick = { symbol: 'XPTUSD', price: '980.00', ts: Date.now(), seq: last };
        pipeline.publish(MarketChannels.ticks(prefix), JSON.stringify(tick));
      }
      await pipeline.exec();
      await sleep(50);
      maxUserland.pending = Math.max(maxUserland.pending, fanout.backlogOf(sid)!.pending);
      maxUserland.writeBuffer = Math.max(maxUserland.writeBuffer, conn.writeBuffer.length);
      maxUserland.bytes = Math.max(maxUserland.bytes, conn.transport.socket._socket.writableLength);
      if ((await conflated()) > before) {
        extra++;
      }
    }
    expect(await conflated()).toBeGreaterThan(before);
    expect(maxUserland.pending).toBeLessThanOrEqual(1);
    // MAX_IN_FLIGHT ticks, and a ping, may wait in Engine.IO's buffer.
    expect(maxUserland.writeBuffer).toBeLessThanOrEqual(32 + 1);
    expect(maxUserland.bytes).toBeLessThan(16 * 1024);

    raw.resume();
    const newest = `"seq":${last}}`;
    await frame(`42/prices,["tick",{"symbol":"XPTUSD","price":"980.00"`);
    const deadline = Date.now() + 10_000;
    while (!frames.some((f) => f.endsWith(`${newest}]`)) && Date.now() < deadline) {
      await sleep(20);
    }
    const received = frames.filter((f) => f.startsWith('42/prices,["tick"'));
    expect(received.at(-1)).toContain(newest);
    expect(received.length).toBeLessThan(batches * 5000);
    raw.close();
  }, 60_000);

  it('counts connections and delivered ticks in the metrics', async () => {
    await connected();
    const text = (await api.metrics()).body;
    expect(text).toMatch(/^socket_connections\{namespace="\/prices"\} [1-9]/m);
    expect(text).toMatch(/^market_ticks_delivered_total [1-9]/m);
  });
});
