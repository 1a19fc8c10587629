import { LEDGER_QUEUE } from '@bourse/ledger';
import { QueueRegistry } from '@bourse/platform';
import { randomUUID } from 'node:crypto';
import { signedInUser } from '../factories/users';
import { startApi, type TestServer } from '../setup/apps';

// The api's queues live under its own Redis prefix here: the counts are this file's alone.
const PREFIX = `${process.env.REDIS_KEY_PREFIX}-board`;

describe('queues for admins: GET /v1/admin/queues and Bull Board', () => {
  let api: TestServer;
  let admin: string;
  let user: string;

  beforeAll(async () => {
    api = await startApi({ REDIS_KEY_PREFIX: PREFIX, QUEUE_BOARD: 'on' });
    admin = (await signedInUser(api, { role: 'admin' })).accessToken;
    user = (await signedInUser(api)).accessToken;
  });
  afterAll(async () => {
    await api.app.get(QueueRegistry).get(LEDGER_QUEUE).obliterate({ force: true });
    await api.close();
  });

  it('counts jobs per state and ages the oldest waiting one', async () => {
    const ledger = api.app.get(QueueRegistry).get(LEDGER_QUEUE);
    // Nothing processes jobs in the api: what is added stays waiting (or delayed).
    await ledger.add('test.first', {}, { jobId: `board-${randomUUID()}` });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await ledger.add('test.second', {}, { jobId: `board-${randomUUID()}` });
    await ledger.add('test.later', {}, { jobId: `board-${randomUUID()}`, delay: 60_000 });

    const res = await api.request('GET', '/v1/admin/queues', { token: admin });

    expect(res.status).toBe(200);
    const names = res.body.data.map((queue: { name: string }) => queue.name);
    expect(names).toEqual([
      'platform',
      'ledger',
      'market',
      'inbox',
      'storage',
      'notifications',
      'webhooks',
      'alerts',
      'auctions',
      'topup',
      'payments',
    ]);
    const row = res.body.data.find((queue: { name: string }) => queue.name === LEDGER_QUEUE);
    expect(row.counts).toEqual({
      waiting: 2,
      active: 0,
      delayed: 1,
      paused: 0,
      completed: 0,
      failed: 0,
    });
    // The first job's age, not the second's.
    expect(row.oldestWaitingSeconds).toBeGreaterThanOrEqual(0.05);
    expect(row.oldestWaitingSeconds).toBeLessThan(30);
    const empty = res.body.data.find((queue: { name: string }) => queue.name === 'market');
    expect(empty.oldestWaitingSeconds).toBeNull();
  });

  it('refuses anonymous callers and non-admins', async () => {
    expect((await api.request('GET', '/v1/admin/queues')).status).toBe(401);
    expect((await api.request('GET', '/v1/admin/queues', { token: user })).status).toBe(403);
  });

  it('serves the board to admins only, read-only', async () => {
    const anonymous = await api.request('GET', '/admin/queues');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('content-type')).toContain('application/problem+json');
    expect((await api.request('GET', '/admin/queues', { token: user })).status).toBe(403);
    expect((await api.request('GET', '/admin/queues/api/queues', { token: user })).status).toBe(
      403,
    );

    const page = await api.request('GET', '/admin/queues', { token: admin });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    // A page, not JSON: its scripts may run (the API's `default-src 'none'` would blank it).
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const queues = await api.request('GET', '/admin/queues/api/queues', { token: admin });
    expect(queues.status).toBe(200);
    const ledger = queues.body.queues.find(
      (queue: { name: string }) => queue.name === LEDGER_QUEUE,
    );
    expect(ledger.readOnlyMode).toBe(true);

    // Actions are refused in read-only mode: nothing is cleaned.
    const clean = await api.request(
      'PUT',
      `/admin/queues/api/queues/${LEDGER_QUEUE}/clean/delayed`,
      {
        token: admin,
      },
    );
    expect(clean.status).toBeGreaterThanOrEqual(400);
    expect(await api.app.get(QueueRegistry).get(LEDGER_QUEUE).getDelayedCount()).toBe(1);
  });

  it('is not mounted when QUEUE_BOARD resolves to off (auto in production, or off)', async () => {
    const off = await startApi({ REDIS_KEY_PREFIX: PREFIX, QUEUE_BOARD: 'off' });
    try {
      expect((await off.request('GET', '/admin/queues', { token: admin })).status).toBe(404);
      // The JSON overview stays: it is an ordinary admin route.
      expect((await off.request('GET', '/v1/admin/queues', { token: admin })).status).toBe(200);
    } finally {
      await off.close();
    }
  });
});
