import { WebhooksService } from '@bourse/notifications';
import { ApiKeyService, Database, dataSourceOptions, rows } from '@bourse/platform';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Webhook } from 'standardwebhooks';
import { DataSource } from 'typeorm';
import { WebhookSender } from '../../libs/notifications/src/webhooks/webhook-sender';
import { MIGRATIONS } from '../../migrations';
import { signedInUser } from '../factories/users';
import { startApi, testConfig, type TestServer } from '../setup/apps';
import { adminQuery, TEST_DB_ENV, testDatabaseUrl } from '../setup/test-env';
import { startWorker } from '../setup/worker';

// The relay takes every outbox row: this file's api and worker get a database of their own.
const DATABASE = `${process.env[TEST_DB_ENV]}_webhooks`;

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A partner's server on loopback: answers per path, keeps every request. */
class Receiver {
  readonly received: Received[] = [];
  /** Status answers queued per path (then 200). */
  readonly script = new Map<string, { status: number; headers?: Record<string, string> }[]>();
  private readonly server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      this.received.push({
        path: req.url!,
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      });
      const next = this.script.get(req.url!)?.shift() ?? { status: 200 };
      res.writeHead(next.status, { 'content-type': 'text/plain', ...next.headers });
      res.end(`answer ${next.status} ${'x'.repeat(2000)}`);
    });
  });

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }

  url(path: string): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${path}`;
  }

  to(path: string): Received[] {
    return this.received.filter((r) => r.path === path);
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

async function waitFor<T>(probe: () => T | Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > deadline) {
      return value;
    }
    await sleep(50);
  }
}

const verify = (secret: string, r: Received) =>
  new Webhook(secret).verify(r.body, {
    'webhook-id': r.headers['webhook-id'] as string,
    'webhook-timestamp': r.headers['webhook-timestamp'] as string,
    'webhook-signature': r.headers['webhook-signature'] as string,
  });

describe('outgoing webhooks (Standard Webhooks, retries, replay, rotation, SSRF guard)', () => {
  let receiver: Receiver;
  let api: TestServer;
  let worker: TestServer;
  let partnerKey: string;
  let partnerId: string;
  let otherKey: string;
  let n = 0;

  const as = (key: string) => `ApiKey ${key}`;
  const createEndpoint = async (
    path: string,
    key = partnerKey,
    eventTypes = ['test.order_filled'],
  ) => {
    const res = await api.request('POST', '/v1/webhooks/endpoints', {
      token: as(key),
      body: { url: receiver.url(path), eventTypes },
    });
    expect(res.status).toBe(201);

    return res.body as { id: string; secret: string };
  };
  const publish = (
    payload: Record<string, unknown>,
    ownerFilter?: string,
    type = 'test.order_filled',
  ) =>
    api.app
      .get(Database)
      .transaction(undefined, (tx) =>
        api.app.get(WebhooksService).publish(tx, type, payload, ownerFilter),
      );
  const deliveries = async (endpointId: string) =>
    (
      await api.request('GET', `/v1/webhooks/endpoints/${endpointId}/deliveries`, {
        token: as(partnerKey),
      })
    ).body.deliveries as {
      id: string;
      webhookId: string;
      state: string;
      attempts: number;
      attemptLog: { status?: number; response?: string; error?: string; latencyMs: number }[];
    }[];
  const path = (name: string) => `/${name}-${(n += 1)}`;

  beforeAll(async () => {
    receiver = new Receiver();
    await receiver.start();
    const env = {
      DATABASE_URL: testDatabaseUrl(DATABASE),
      REDIS_KEY_PREFIX: `${process.env.REDIS_KEY_PREFIX}-webhooks`,
      OUTBOX_RELAY_INTERVAL_MS: '20',
      WEBHOOKS_ALLOW_LOOPBACK: 'true',
      WEBHOOKS_TIMEOUT_MS: '2000',
    };
    await adminQuery(`CREATE DATABASE ${DATABASE}`);
    const source = new DataSource(
      dataSourceOptions({ ...testConfig(env).database, poolSize: 2 }, { migrations: MIGRATIONS }),
    );
    await source.initialize();
    await source.runMigrations();
    await source.destroy();
    api = await startApi(env);
    worker = await startWorker(env);
    const admin = await signedInUser(api, { role: 'admin' });
    const keys = api.app.get(ApiKeyService);
    const creator = {
      kind: 'user' as const,
      userId: admin.id,
      role: 'admin' as const,
      sessionId: 'test',
    };
    const partner = await keys.create({ name: 'partner', scopes: ['webhooks'] }, creator);
    partnerKey = partner.key;
    partnerId = partner.id;
    otherKey = (await keys.create({ name: 'other', scopes: ['webhooks'] }, creator)).key;
  });
  afterAll(async () => {
    await worker?.close();
    await api?.close();
    await receiver?.stop();
    await adminQuery(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
  });

  it('signs deliveries as the official standardwebhooks package verifies, and records the attempt', async () => {
    const p = path('ok');
    const endpoint = await createEndpoint(p);
    expect(endpoint.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    const listed = await api.request('GET', `/v1/webhooks/endpoints/${endpoint.id}`, {
      token: as(partnerKey),
    });
    expect(listed.body.secret).toBeUndefined();

    const messageId = await publish({ orderId: 'o-1', qty: '10' });
    const [got] = await waitFor(
      () => receiver.to(p),
      (r) => r.length > 0,
    );
    expect(got!.headers['webhook-id']).toBe(`msg_${messageId}`);
    expect(verify(endpoint.secret, got!)).toEqual({
      type: 'test.order_filled',
      timestamp: expect.any(String),
      data: { orderId: 'o-1', qty: '10' },
    });
    // A tampered body or another secret does not verify.
    expect(() =>
      verify(endpoint.secret, { ...got!, body: got!.body.replace('o-1', 'o-2') }),
    ).toThrow();

    const [delivery] = await waitFor(
      () => deliveries(endpoint.id),
      (d) => d[0]?.state === 'succeeded',
    );
    expect(delivery).toMatchObject({
      webhookId: `msg_${messageId}`,
      state: 'succeeded',
      attempts: 1,
    });
    expect(delivery!.attemptLog).toEqual([
      expect.objectContaining({ attempt: 0, status: 200, latencyMs: expect.any(Number) }),
    ]);
    expect(delivery!.attemptLog[0]!.response).toHaveLength(1024);

    // Another key neither sees nor manages it.
    const foreign = await api.request('GET', `/v1/webhooks/endpoints/${endpoint.id}`, {
      token: as(otherKey),
    });
    expect(foreign.status).toBe(404);
    expect(foreign.body.code).toBe('notifications.webhook_not_found');
  });

  it('retries a 500 after its Retry-After: two attempts, one success, one webhook-id', async () => {
    const p = path('flaky');
    receiver.script.set(p, [{ status: 500, headers: { 'retry-after': '1' } }]);
    const endpoint = await createEndpoint(p);
    await publish({ orderId: 'o-2' });

    const [delivery] = await waitFor(
      () => deliveries(endpoint.id),
      (d) => d[0]?.state === 'succeeded',
    );
    expect(delivery!.attempts).toBe(2);
    expect(delivery!.attemptLog.map((a) => a.status)).toEqual([500, 200]);
    const got = receiver.to(p);
    expect(got).toHaveLength(2);
    expect(new Set(got.map((r) => r.headers['webhook-id'])).size).toBe(1);
    got.forEach((r) => expect(() => verify(endpoint.secret, r)).not.toThrow());
  });

  it('disables an endpoint that answers 410 Gone', async () => {
    const p = path('gone');
    receiver.script.set(p, [{ status: 410 }]);
    const endpoint = await createEndpoint(p);
    await publish({ orderId: 'o-3' });

    const [delivery] = await waitFor(
      () => deliveries(endpoint.id),
      (d) => d[0]?.state === 'failed',
    );
    expect(delivery!.attemptLog.map((a) => a.status)).toEqual([410]);
    const after = await api.request('GET', `/v1/webhooks/endpoints/${endpoint.id}`, {
      token: as(partnerKey),
    });
    expect(after.body).toMatchObject({ enabled: false, disabledReason: 'answered 410 Gone' });

    // Disabled: later events are not delivered to it; enabling it again resumes them.
    await publish({ orderId: 'o-4' });
    const enabled = await api.request('PATCH', `/v1/webhooks/endpoints/${endpoint.id}`, {
      token: as(partnerKey),
      body: { enabled: true },
    });
    expect(enabled.body).toMatchObject({ enabled: true });
    expect(enabled.body.disabledReason).toBeUndefined();
    await publish({ orderId: 'o-5' });
    const got = await waitFor(
      () => receiver.to(p),
      (r) => r.length > 1,
    );
    expect(got.map((r) => JSON.parse(r.body).data.orderId)).toEqual(['o-3', 'o-5']);
  });

  it('disables an endpoint whose attempts have failed for 5 days', async () => {
    const p = path('down');
    receiver.script.set(p, [{ status: 503 }]);
    const endpoint = await createEndpoint(p);
    await rows(
      api.app.get(Database).manager,
      `UPDATE webhook_endpoints SET failing_since = now() - interval '5 days 1 minute' WHERE id = $1`,
      [endpoint.id],
    );
    await publish({ orderId: 'd-1' });

    const [delivery] = await waitFor(
      () => deliveries(endpoint.id),
      (d) => d[0]?.state === 'failed',
    );
    expect(delivery!.attemptLog.map((a) => a.status)).toEqual([503]);
    const after = await api.request('GET', `/v1/webhooks/endpoints/${endpoint.id}`, {
      token: as(partnerKey),
    });
    expect(after.body).toMatchObject({ enabled: false, disabledReason: 'failing for 5 days' });
  });

  it('replays a time window, and resends one delivery, with the original webhook-ids', async () => {
    const p = path('replay');
    const endpoint = await createEndpoint(p);
    const before = new Date(Date.now() - 1000);
    const ids = [await publish({ orderId: 'r-1' }), await publish({ orderId: 'r-2' })];
    const until = new Date(Date.now() + 1000);
    await waitFor(
      () => receiver.to(p),
      (r) => r.length === 2,
    );
    // An event after the window is not replayed.
    await sleep(1100);
    await publish({ orderId: 'r-3' });
    await waitFor(
      () => receiver.to(p),
      (r) => r.length === 3,
    );

    const replay = await api.request('POST', `/v1/webhooks/endpoints/${endpoint.id}/replay`, {
      token: as(partnerKey),
      body: { since: before.toISOString(), until: until.toISOString() },
    });
    expect(replay.body).toEqual({ queued: 2 });
    const got = await waitFor(
      () => receiver.to(p),
      (r) => r.length === 5,
    );
    expect(
      got
        .slice(3)
        .map((r) => r.headers['webhook-id'])
        .sort(),
    ).toEqual(ids.map((id) => `msg_${id}`).sort());

    const [latest] = await deliveries(endpoint.id);
    const resent = await api.request('POST', `/v1/webhooks/deliveries/${latest!.id}/resend`, {
      token: as(partnerKey),
    });
    expect(resent.body).toMatchObject({ id: latest!.id, state: 'pending' });
    const all = await waitFor(
      () => receiver.to(p),
      (r) => r.length === 6,
    );
    expect(all[5]!.headers['webhook-id']).toBe(latest!.webhookId);

    const bad = await api.request('POST', `/v1/webhooks/endpoints/${endpoint.id}/replay`, {
      token: as(partnerKey),
      body: { since: until.toISOString(), until: before.toISOString() },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.code).toBe('notifications.invalid_window');
  });

  it('signs with both secrets for a day after a rotation', async () => {
    const p = path('rotate');
    const endpoint = await createEndpoint(p);
    const rotated = await api.request(
      'POST',
      `/v1/webhooks/endpoints/${endpoint.id}/rotate-secret`,
      {
        token: as(partnerKey),
      },
    );
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(endpoint.secret);

    await publish({ orderId: 'k-1' });
    const [got] = await waitFor(
      () => receiver.to(p),
      (r) => r.length > 0,
    );
    expect((got!.headers['webhook-signature'] as string).split(' ')).toHaveLength(2);
    expect(() => verify(rotated.body.secret, got!)).not.toThrow();
    expect(() => verify(endpoint.secret, got!)).not.toThrow();
  });

  it('delivers an owner-filtered event only to that owner’s endpoints', async () => {
    const mine = path('mine');
    const theirs = path('theirs');
    await createEndpoint(mine, partnerKey, ['test.owned']);
    await createEndpoint(theirs, otherKey, ['test.owned']);
    await publish({ orderId: 'f-1' }, `apikey:${partnerId}`, 'test.owned');
    await waitFor(
      () => receiver.to(mine),
      (r) => r.length > 0,
    );
    await sleep(300);
    expect(receiver.to(mine)).toHaveLength(1);
    expect(receiver.to(theirs)).toHaveLength(0);
  });

  it('refuses private, link-local and (unless allowed) loopback addresses after resolving them', async () => {
    const res = await api.request('POST', '/v1/webhooks/endpoints', {
      token: as(partnerKey),
      body: { url: 'http://169.254.169.254/latest/meta-data', eventTypes: ['test.ssrf'] },
    });
    expect(res.status).toBe(201);
    await publish({ orderId: 's-1' }, undefined, 'test.ssrf');
    const [delivery] = await waitFor(
      () => deliveries(res.body.id),
      (d) => (d[0]?.attempts ?? 0) > 0,
    );
    expect(delivery!.attemptLog[0]).toMatchObject({ error: expect.stringContaining('non-public') });
    expect(delivery!.attemptLog[0]!.status).toBeUndefined();

    // Without the test switch, a name resolving to loopback is refused at connect time.
    const strict = new WebhookSender(testConfig({ WEBHOOKS_ALLOW_LOOPBACK: 'false' }));
    const p = path('ssrf');
    const port = new URL(receiver.url(p)).port;
    const byName = await strict.send(`http://localhost:${port}${p}`, {}, '{}');
    expect(byName.error).toContain('non-public address');
    const byAddress = await strict.send(`http://[::ffff:127.0.0.1]:${port}${p}`, {}, '{}');
    expect(byAddress.error).toContain('non-public address');
    expect(receiver.to(p)).toHaveLength(0);
  });

  it('refuses a bad endpoint body naming the field, and users who are not admins', async () => {
    const bad = await api.request('POST', '/v1/webhooks/endpoints', {
      token: as(partnerKey),
      body: { url: 'ftp://example.com', eventTypes: ['Not A Type'] },
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('url');
    expect(JSON.stringify(bad.body)).toContain('eventTypes');
    const user = await signedInUser(api);
    expect(
      (await api.request('GET', '/v1/webhooks/endpoints', { token: user.accessToken })).status,
    ).toBe(403);
  });
});
