import {
  AlertEvaluator,
  AlertsEvent,
  type AlertsClientEvents,
  type AlertsReady,
  type AlertsServerEvents,
  type AlertStreamEvent,
} from '@bourse/alerts';
import { WebhooksService } from '@bourse/notifications';
import { Database, rows, type Env } from '@bourse/platform';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { io as connect, type Socket } from 'socket.io-client';
import { Webhook } from 'standardwebhooks';
import { alertsEnvironment, TickTape, waitFor } from '../factories/alerts';
import { signedInUser, type SignedInUser } from '../factories/users';
import { startApi, type TestServer } from '../setup/apps';
import { startWorker } from '../setup/worker';

type AlertsSocket = Socket<AlertsServerEvents, AlertsClientEvents>;

/** One device: what its connection received, in order. */
class Device {
  readonly received: AlertStreamEvent[] = [];
  ready?: AlertsReady;
  private socket?: AlertsSocket;

  constructor(
    private readonly api: TestServer,
    private readonly user: SignedInUser,
  ) {}

  get lastSeq(): number {
    return this.received.at(-1)?.seq ?? 0;
  }

  /** Connects resuming after what it holds (`fresh`: as a new install, no `lastSeq`). */
  async connect(fresh = false): Promise<AlertsReady> {
    const last = this.received.at(-1);
    const auth = fresh
      ? { token: this.user.accessToken }
      : { token: this.user.accessToken, lastSeq: this.lastSeq, lastEventId: last?.id };
    const socket: AlertsSocket = connect(`${this.api.url}/alerts`, {
      auth,
      transports: ['websocket'],
      reconnection: false,
    });
    this.socket = socket;
    const ready = new Promise<AlertsReady>((resolve, reject) => {
      socket.once(AlertsEvent.Ready, resolve);
      socket.once('connect_error', reject);
    });
    socket.on(AlertsEvent.Alert, (event) => this.received.push(event));
    this.ready = await ready;

    return this.ready;
  }

  ack(seq: number): Promise<unknown> {
    return this.socket!.emitWithAck(AlertsEvent.Ack, { seq });
  }

  disconnect(): void {
    this.socket?.disconnect();
  }
}

/** A webhook receiver answering 500 to its first `failures` requests. */
class Receiver {
  readonly received: { headers: IncomingHttpHeaders; body: string; status: number }[] = [];
  private readonly server: Server;

  constructor(private failures: number) {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const status = this.failures > 0 ? 500 : 200;
        this.failures -= 1;
        this.received.push({
          headers: req.headers,
          body: Buffer.concat(chunks).toString(),
          status,
        });
        res.writeHead(status).end();
      });
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));

    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/alerts`;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();

    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const seqs = (events: AlertStreamEvent[]) => events.map((e) => e.seq);
const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('alert delivery: /alerts replay, acks, two devices, SSE, REST, webhooks', () => {
  let drop: () => Promise<void>;
  let api: TestServer;
  let worker: TestServer;
  const tape = new TickTape();
  let price = 1000;

  beforeAll(async () => {
    let env: Env;
    ({ env, drop } = await alertsEnvironment('alerts_delivery', {
      WEBHOOKS_ALLOW_LOOPBACK: 'true',
      ALERTS_MAX_ACTIVE_PER_USER: '3',
    }));
    api = await startApi(env);
    worker = await startWorker(env);
  });
  afterAll(async () => {
    await worker?.close();
    await api?.close();
    await drop?.();
  });

  /** A user with an alert that fires on every XPTUSD tick: one event per `fire()`. */
  const userWithAlert = async (extra: Record<string, unknown> = {}) => {
    const user = await signedInUser(api);
    const res = await api.request('POST', '/v1/alerts', {
      token: user.accessToken,
      body: {
        symbol: 'XPTUSD',
        operator: 'greater_than',
        value: '1.00',
        frequency: 'every_time',
        minIntervalSeconds: 0,
        ...extra,
      },
    });
    expect(res.status).toBe(201);
    await worker.app.get(AlertEvaluator).refresh();

    return { user, alert: res.body as { id: string } };
  };
  const fire = async (times = 1) => {
    for (let i = 0; i < times; i += 1) {
      price += 1;
      await worker.app.get(AlertEvaluator).evaluate(tape.next('XPTUSD', `${price}.00`));
    }
  };

  it('replays what a device missed, in order and once, over several offline/online cycles', async () => {
    const { user } = await userWithAlert();
    const device = new Device(api, user);
    let expected = 0;
    for (let cycle = 0; cycle < 3; cycle += 1) {
      const ready = await device.connect();
      expect(ready).toEqual({
        from: expected,
        lastSeq: expected + (cycle === 0 ? 0 : 2),
        resync: false,
      });
      // Live while online.
      await fire(2);
      expected += cycle === 0 ? 2 : 4;
      await waitFor(
        () => device.received.length,
        (n) => n === expected,
      );
      device.disconnect();
      // A reconnect with nothing new replays nothing.
      const idle = await device.connect();
      expect(idle.from).toBe(expected);
      device.disconnect();
      // Fired while offline.
      await fire(2);
    }
    await device.connect();
    await waitFor(
      () => device.received.length,
      (n) => n === 12,
    );
    expect(seqs(device.received)).toEqual(range(1, 12));
    expect(new Set(device.received.map((e) => e.id)).size).toBe(12);
    device.disconnect();
  });

  it('never duplicates when live events arrive while the replay runs', async () => {
    const { user } = await userWithAlert();
    await fire(30);
    const device = new Device(api, user);
    // Fire while the connection replays the first 30.
    await Promise.all([device.connect(), fire(20)]);
    await waitFor(
      () => device.received.length,
      (n) => n >= 50,
    );
    await fire(5);
    await waitFor(
      () => device.received.length,
      (n) => n >= 55,
    );

    expect(seqs(device.received)).toEqual(range(1, 55));
    device.disconnect();
  });

  it('delivers to both of a user’s devices; acks move the cursor a fresh install starts from', async () => {
    const { user } = await userWithAlert();
    const phone = new Device(api, user);
    const laptop = new Device(api, user);
    await phone.connect();
    await laptop.connect();
    await fire(3);
    await waitFor(
      () => [phone.received.length, laptop.received.length],
      ([a, b]) => a === 3 && b === 3,
    );
    expect(seqs(phone.received)).toEqual([1, 2, 3]);
    expect(laptop.received).toEqual(phone.received);

    expect(await phone.ack(2)).toEqual({ ok: true, ackedSeq: 2 });
    expect(await phone.ack(1)).toEqual({ ok: true, ackedSeq: 2 }); // never back
    expect(await phone.ack(99)).toEqual({ ok: true, ackedSeq: 3 }); // never past the end
    expect(await phone.ack(-1 as number)).toEqual({
      ok: false,
      error: { code: 'alerts.invalid_payload', message: expect.any(String) },
    });
    const tablet = new Device(api, user);
    expect(await tablet.connect(true)).toEqual({ from: 3, lastSeq: 3, resync: false });
    phone.disconnect();
    laptop.disconnect();
    tablet.disconnect();
  });

  it('says resync when the client’s position is not in the stream (a reset or a restore)', async () => {
    const { user } = await userWithAlert();
    await fire(2);
    const device = new Device(api, user);
    await device.connect();
    await waitFor(
      () => device.received.length,
      (n) => n === 2,
    );
    device.disconnect();

    // The stream as restored from an older backup: the client's newest event is gone.
    const db = api.app.get(Database);
    await rows(db.manager, `DELETE FROM alert_events WHERE user_id = $1 AND seq = 2`, [user.id]);
    await rows(db.manager, `UPDATE alert_streams SET last_seq = 1 WHERE user_id = $1`, [user.id]);
    expect(await device.connect()).toEqual({ from: 0, lastSeq: 1, resync: true });
    device.disconnect();

    // Later firings reuse seq 2 with another event: the id tells the client's apart.
    await fire(1);
    const stale = new Device(api, user);
    stale.received.push({ ...device.received[1]! });
    expect(await stale.connect()).toEqual({ from: 0, lastSeq: 2, resync: true });
    stale.disconnect();
  });

  it('answers events after a seq over REST, and streams them as Server-Sent Events from Last-Event-ID', async () => {
    const { user } = await userWithAlert();
    await fire(3);
    const page = await api.request('GET', '/v1/alerts/events?after=1&limit=1', {
      token: user.accessToken,
    });
    expect(page.status).toBe(200);
    expect(page.body).toEqual({
      events: [expect.objectContaining({ seq: 2, symbol: 'XPTUSD', operator: 'greater_than' })],
      lastSeq: 3,
    });

    const controller = new AbortController();
    const response = await fetch(`${api.url}/v1/alerts/events`, {
      headers: {
        authorization: `Bearer ${user.accessToken}`,
        accept: 'text/event-stream',
        'last-event-id': '1',
      },
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const reader = response.body!.getReader();
    let text = '';
    const readUntil = async (count: number) => {
      while ((text.match(/^id: /gm) ?? []).length < count) {
        const { value, done } = await reader.read();
        if (done) {
          break;
        }
        text += Buffer.from(value).toString('utf8');
      }
    };
    await readUntil(2);
    await fire(1); // live, after the replay
    await readUntil(3);
    controller.abort();

    const frames = text
      .split('\n\n')
      .filter((f) => f.startsWith('id: '))
      .map((f) => {
        const [id, event, data] = f.split('\n');

        return {
          id,
          event,
          seq: (JSON.parse(data!.slice('data: '.length)) as { seq: number }).seq,
        };
      });
    expect(frames).toEqual([
      { id: 'id: 2', event: 'event: alert', seq: 2 },
      { id: 'id: 3', event: 'event: alert', seq: 3 },
      { id: 'id: 4', event: 'event: alert', seq: 4 },
    ]);
  });

  it('signs webhooks so a receiver verifies them, retries a failed one, and e-mails through notifications', async () => {
    const receiver = new Receiver(1);
    const url = await receiver.start();
    try {
      const { user, alert } = await userWithAlert({ channels: ['webhook', 'email'] });
      const endpoint = await api.app
        .get(WebhooksService)
        .create(
          { kind: 'user', userId: user.id, role: 'user', sessionId: 'test' },
          { url, eventTypes: ['alerts.fired'] },
        );
      await fire(1);

      const received = await waitFor(
        () => receiver.received,
        (r) => r.some((x) => x.status === 200),
        30_000,
      );
      expect(received.map((r) => r.status)).toEqual([500, 200]);
      const [failed, retried] = received;
      expect(retried!.headers['webhook-id']).toBe(failed!.headers['webhook-id']);
      const verified = new Webhook(endpoint.secret).verify(retried!.body, {
        'webhook-id': retried!.headers['webhook-id'] as string,
        'webhook-timestamp': retried!.headers['webhook-timestamp'] as string,
        'webhook-signature': retried!.headers['webhook-signature'] as string,
      });
      expect(verified).toEqual({
        type: 'alerts.fired',
        timestamp: expect.any(String),
        data: expect.objectContaining({ seq: 1, alertId: alert.id, symbol: 'XPTUSD' }),
      });
      const notified = await rows<{ type: string; channels: string[] }>(
        api.app.get(Database).manager,
        `SELECT type, channels FROM notifications WHERE user_id = $1`,
        [user.id],
      );
      expect(notified).toEqual([{ type: 'alerts.fired', channels: ['email'] }]);
    } finally {
      await receiver.stop();
    }
  }, 60_000);

  it('keeps alerts to their owner (404 for another user’s), validates, and limits active alerts', async () => {
    const { user, alert } = await userWithAlert();
    const other = await signedInUser(api);
    for (const [method, body] of [
      ['GET', undefined],
      ['PATCH', { message: 'mine now' }],
      ['DELETE', undefined],
    ] as const) {
      const res = await api.request(method, `/v1/alerts/${alert.id}`, {
        token: other.accessToken,
        body,
      });
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ code: 'alerts.not_found' });
    }
    expect((await api.request('GET', '/v1/alerts', { token: other.accessToken })).body).toEqual({
      alerts: [],
    });

    const bad = await api.request('POST', '/v1/alerts', {
      token: user.accessToken,
      body: { symbol: 'XAUUSD', operator: 'crossing', value: '1e3' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'validation.failed', errors: [{ field: 'value' }] });
    const channel = await api.request('POST', '/v1/alerts', {
      token: user.accessToken,
      body: { symbol: 'XAUUSD', operator: 'inside_channel', lower: '2500', upper: '2400' },
    });
    expect(channel.status).toBe(422);
    expect(channel.body).toMatchObject({ code: 'alerts.invalid', field: 'upper' });
    const missing = await api.request('POST', '/v1/alerts', {
      token: user.accessToken,
      body: { symbol: 'XAUUSD', operator: 'moving_up_pct', value: '2' },
    });
    expect(missing.body).toMatchObject({ code: 'alerts.invalid', field: 'bars' });

    const paused = await api.request('PATCH', `/v1/alerts/${alert.id}`, {
      token: user.accessToken,
      body: { active: false, message: 'paused for now' },
    });
    expect(paused.body).toMatchObject({ status: 'paused', message: 'paused for now' });
    const listed = await api.request('GET', '/v1/alerts', { token: user.accessToken });
    expect(listed.body.alerts.map((a: { id: string }) => a.id)).toEqual([alert.id]);
    expect(
      (await api.request('DELETE', `/v1/alerts/${alert.id}`, { token: user.accessToken })).status,
    ).toBe(204);
    expect(
      (await api.request('GET', `/v1/alerts/${alert.id}`, { token: user.accessToken })).status,
    ).toBe(404);
  });
});
