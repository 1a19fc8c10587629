import {
  NotificationsModule,
  ONESIGNAL_SIMULATOR_KEY,
  NotificationsService,
  escapeHtml,
  sendJobId,
  type EmailTemplate,
  type NotifyInput,
} from '@bourse/notifications';
import { ApiKeyService, Database, dataSourceOptions, rows } from '@bourse/platform';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect, type Socket } from 'socket.io-client';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { OneSignalSimulator } from '../../simulators/onesignal/onesignal.simulator';
import { SmtpCapture, type CapturedEmail } from '../../simulators/smtp/smtp-capture';
import { signedInUser, type SignedInUser } from '../factories/users';
import { startApi, testConfig, type TestServer } from '../setup/apps';
import { adminQuery, TEST_DB_ENV, testDatabaseUrl } from '../setup/test-env';
import { startWorker } from '../setup/worker';

// The worker's relay takes every outbox row: this file's api and worker get a database and
// Redis prefix of their own.
const DATABASE = `${process.env[TEST_DB_ENV]}_notifications`;
const ONE_SIGNAL_APP = 'b2f7f966-d8cc-11e4-bed1-df8f05be55ba';

/** The spec's lib template: what a price-alert lib would register. */
const ALERT_TEMPLATE: EmailTemplate = {
  type: 'test.price_alert',
  name: 'test.price-alert',
  render: (n) => ({
    subject: `Price alert: ${String(n.data.symbol)}`,
    text: `${String(n.data.symbol)} crossed ${String(n.data.price)}.\n`,
    html: `<p><b>${escapeHtml(String(n.data.symbol))}</b> crossed ${escapeHtml(String(n.data.price))}.</p>`,
  }),
};

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

describe('notifications (inbox, preferences, e-mail through the SMTP capture)', () => {
  let smtp: SmtpCapture;
  let oneSignal: OneSignalSimulator;
  let api: TestServer;
  let worker: TestServer;
  let user: SignedInUser;

  /** What a domain lib does: notify inside its own transaction. */
  const notify = (input: Partial<NotifyInput> & { userId: string }) => {
    const db = api.app.get(Database);

    return db.transaction(undefined, (tx) =>
      api.app.get(NotificationsService).notify(tx, {
        type: 'test.note',
        title: 'Hello',
        body: 'A message',
        ...input,
      }),
    );
  };
  const mailsTo = (email: string): CapturedEmail[] =>
    smtp.messages.filter((message) => message.to.includes(email));
  const inbox = (who: SignedInUser, query = '') =>
    api.request('GET', `/v1/notifications${query}`, { token: who.accessToken });

  beforeAll(async () => {
    smtp = new SmtpCapture();
    await smtp.start();
    oneSignal = new OneSignalSimulator({
      appId: ONE_SIGNAL_APP,
      restApiKey: ONESIGNAL_SIMULATOR_KEY,
    });
    await oneSignal.start();
    const env = {
      DATABASE_URL: testDatabaseUrl(DATABASE),
      REDIS_KEY_PREFIX: `${process.env.REDIS_KEY_PREFIX}-notifications`,
      OUTBOX_RELAY_INTERVAL_MS: '20',
      NOTIFICATIONS_SMTP_URL: smtp.url,
      NOTIFICATIONS_EMAIL_FROM: 'Bourse <alerts@bourse.test>',
      ONESIGNAL_API_URL: oneSignal.url,
      ONESIGNAL_APP_ID: ONE_SIGNAL_APP,
    };
    await adminQuery(`CREATE DATABASE ${DATABASE}`);
    const source = new DataSource(
      dataSourceOptions({ ...testConfig(env).database, poolSize: 2 }, { migrations: MIGRATIONS }),
    );
    await source.initialize();
    await source.runMigrations();
    await source.destroy();
    api = await startApi(env);
    worker = await startWorker(env, [NotificationsModule.forTemplates([ALERT_TEMPLATE])]);
  });
  beforeEach(async () => {
    user = await signedInUser(api);
    oneSignal.subscribe(user.id);
  });
  afterAll(async () => {
    await worker?.close();
    await api?.close();
    await smtp?.stop();
    await oneSignal?.stop();
    await adminQuery(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
  });

  it('lists the inbox newest first in cursor pages with the unread count, and marks read', async () => {
    const sent = [];
    for (const title of ['first', 'second', 'third']) {
      sent.push(await notify({ userId: user.id, title, data: { n: title } }));
    }

    const first = await inbox(user, '?limit=2');
    expect(first.status).toBe(200);
    expect(first.body.unreadCount).toBe(3);
    expect(first.body.notifications.map((n: { title: string }) => n.title)).toEqual([
      'third',
      'second',
    ]);
    expect(first.body.notifications[0]).toMatchObject({
      id: sent[2]!.id,
      type: 'test.note',
      body: 'A message',
      data: { n: 'third' },
    });
    expect(first.body.notifications[0].readAt).toBeUndefined();
    const second = await inbox(user, `?limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.notifications.map((n: { title: string }) => n.title)).toEqual(['first']);
    expect(second.body.nextCursor).toBeUndefined();

    const read = await api.request('POST', `/v1/notifications/${sent[0]!.id}/read`, {
      token: user.accessToken,
    });
    expect(read.status).toBe(200);
    expect(read.body.readAt).toEqual(expect.any(String));
    const again = await api.request('POST', `/v1/notifications/${sent[0]!.id}/read`, {
      token: user.accessToken,
    });
    expect(again.body.readAt).toBe(read.body.readAt);
    const unread = await inbox(user, '?unread=true');
    expect(unread.body.unreadCount).toBe(2);
    expect(unread.body.notifications.map((n: { title: string }) => n.title)).toEqual([
      'third',
      'second',
    ]);

    // Another user's notification is not theirs to see or mark.
    const stranger = await signedInUser(api);
    const foreign = await api.request('POST', `/v1/notifications/${sent[1]!.id}/read`, {
      token: stranger.accessToken,
    });
    expect(foreign.status).toBe(404);
    expect(foreign.body.code).toBe('notifications.not_found');
    expect((await inbox(stranger)).body).toEqual({ notifications: [], unreadCount: 0 });

    const all = await api.request('POST', '/v1/notifications/read-all', {
      token: user.accessToken,
    });
    expect(all.body).toEqual({ marked: 2 });
    expect((await inbox(user)).body.unreadCount).toBe(0);
  });

  it('refuses a bad cursor, a bad preferences body and API keys, naming the field', async () => {
    const cursor = await inbox(user, '?cursor=not-a-uuid');
    expect(cursor.status).toBe(400);
    expect(JSON.stringify(cursor.body)).toContain('cursor');

    const prefs = await api.request('PUT', '/v1/notifications/preferences', {
      token: user.accessToken,
      body: { in_app: true, email: 'yes', push: true },
    });
    expect(prefs.status).toBe(400);
    expect(JSON.stringify(prefs.body)).toContain('email');

    const admin = await signedInUser(api, { role: 'admin' });
    const { key } = await api.app
      .get(ApiKeyService)
      .create(
        { name: 'partner', scopes: ['ledger'] },
        { kind: 'user', userId: admin.id, role: 'admin', sessionId: 'test' },
      );
    expect((await api.request('GET', '/v1/notifications', { token: `ApiKey ${key}` })).status).toBe(
      403,
    );
  });

  it('sends an e-mail with the type’s template, once, and honours the preferences', async () => {
    expect(
      (await api.request('GET', '/v1/notifications/preferences', { token: user.accessToken })).body,
    ).toEqual({ in_app: true, email: true, push: true, sms: false });

    const alert = await notify({
      userId: user.id,
      type: 'test.price_alert',
      title: 'Price alert',
      body: 'ACME crossed 12.30',
      data: { symbol: 'ACME<&>', price: '12.30' },
    });
    const [mail] = await waitFor(
      () => mailsTo(user.email),
      (found) => found.length > 0,
    );
    expect(mail).toMatchObject({
      from: 'alerts@bourse.test',
      subject: 'Price alert: ACME<&>',
      messageId: `<${alert.id}@notifications.bourse>`,
    });
    expect(mail!.headers.get('x-bourse-template')).toBe('test.price-alert');
    expect(mail!.text).toContain('ACME<&> crossed 12.30.');
    expect(mail!.html).toContain('<b>ACME&lt;&amp;&gt;</b> crossed 12.30.');
    // Also in the inbox: both channels were on.
    expect((await inbox(user)).body.notifications[0].id).toBe(alert.id);

    // A job run again (a retry after a lost acknowledgement) finds it sent and sends nothing.
    await expect(worker.app.get(NotificationsService).send('email', alert.id)).resolves.toBe(
      'already',
    );
    const db = worker.app.get(Database);
    const [delivery] = await rows<{ state: string; attempts: number }>(
      db.manager,
      `SELECT state, attempts FROM notification_deliveries WHERE notification_id = $1`,
      [alert.id],
    );
    expect(delivery).toEqual({ state: 'sent', attempts: 1 });
    const [job] = await rows<{ count: number }>(
      db.manager,
      `SELECT count(*)::int AS count FROM outbox WHERE job_id = $1`,
      [sendJobId('email', alert.id)],
    );
    expect(job!.count).toBe(1);

    // A type no lib templated: the default template, title and body.
    await notify({ userId: user.id, title: 'Plain <title>', body: 'Plain body' });
    const plain = await waitFor(
      () => mailsTo(user.email),
      (found) => found.length > 1,
    );
    expect(plain[1]!.headers.get('x-bourse-template')).toBe('notifications.default');
    expect(plain[1]!.html).toContain('<h1>Plain &lt;title&gt;</h1>');

    // E-mail off: the inbox only, and no e-mail job at all.
    const off = await api.request('PUT', '/v1/notifications/preferences', {
      token: user.accessToken,
      body: { in_app: true, email: false, push: false },
    });
    expect(off.body).toEqual({ in_app: true, email: false, push: false, sms: false });
    const quiet = await notify({ userId: user.id, title: 'In-app only' });
    const [none] = await rows<{ count: number }>(
      db.manager,
      `SELECT count(*)::int AS count FROM outbox WHERE job_id = $1`,
      [sendJobId('email', quiet.id)],
    );
    expect(none!.count).toBe(0);
    expect((await inbox(user)).body.notifications[0].id).toBe(quiet.id);

    // In-app off, e-mail on: mailed, and not in the inbox.
    await api.request('PUT', '/v1/notifications/preferences', {
      token: user.accessToken,
      body: { in_app: false, email: true, push: false },
    });
    const mailed = await notify({ userId: user.id, title: 'Mail only' });
    await waitFor(
      () => mailsTo(user.email),
      (found) => found.some((m) => m.subject === 'Mail only'),
    );
    const listed = (await inbox(user)).body.notifications.map((n: { id: string }) => n.id);
    expect(listed).not.toContain(mailed.id);
    expect(mailsTo(user.email).map((m) => m.subject)).toEqual([
      'Price alert: ACME<&>',
      'Plain <title>',
      'Mail only',
    ]);
  });

  it('records a failed send and retries it until the relay takes it', async () => {
    await api.request('PUT', '/v1/notifications/preferences', {
      token: user.accessToken,
      body: { in_app: false, email: true, push: false },
    });
    smtp.refuse(1);
    const n = await notify({ userId: user.id, title: 'Retried' });
    const db = worker.app.get(Database);
    const failed = await waitFor(
      () =>
        rows<{ state: string; last_error: string }>(
          db.manager,
          `SELECT state, last_error FROM notification_deliveries WHERE notification_id = $1`,
          [n.id],
        ),
      (found) => found.length > 0,
    );
    expect(failed[0]!.state).toBe('failed');
    expect(failed[0]!.last_error).toContain('451');
    const mails = await waitFor(
      () => mailsTo(user.email),
      (found) => found.length > 0,
    );
    expect(mails.map((m) => m.subject)).toEqual(['Retried']);
    const [delivery] = await waitFor(
      () =>
        rows<{ state: string; attempts: number }>(
          db.manager,
          `SELECT state, attempts FROM notification_deliveries WHERE notification_id = $1`,
          [n.id],
        ),
      (found) => found[0]?.state === 'sent',
    );
    expect(delivery).toEqual({ state: 'sent', attempts: 2 });
  });

  it('pushes through OneSignal once, even when a retry follows a lost answer', async () => {
    oneSignal.loseAnswers(1);
    const n = await notify({
      userId: user.id,
      title: 'Filled',
      body: 'Order filled',
      data: { orderId: 'o-9' },
    });
    const db = worker.app.get(Database);
    const [delivery] = await waitFor(
      () =>
        rows<{ state: string; attempts: number }>(
          db.manager,
          `SELECT state, attempts FROM notification_deliveries WHERE notification_id = $1 AND channel = 'push'`,
          [n.id],
        ),
      (found) => found[0]?.state === 'sent',
    );
    // The first request was accepted but its answer lost; the retry carried the same
    // idempotency_key, so OneSignal answered the same notification and pushed nothing more.
    expect(delivery).toEqual({ state: 'sent', attempts: 2 });
    const pushes = oneSignal.pushes.filter((p) => p.externalIds.includes(user.id));
    expect(pushes).toHaveLength(1);
    expect(pushes[0]).toMatchObject({
      headings: { en: 'Filled' },
      contents: { en: 'Order filled' },
      data: { orderId: 'o-9', notificationId: n.id, type: 'test.note' },
    });
  });

  it('counts a 200 with errors.invalid_aliases as a failure', async () => {
    const stranger = await signedInUser(api); // no device: not subscribed
    await api.request('PUT', '/v1/notifications/preferences', {
      token: stranger.accessToken,
      body: { in_app: false, email: false, push: true },
    });
    const n = await notify({ userId: stranger.id, title: 'Nobody listens' });
    const db = worker.app.get(Database);
    const [delivery] = await waitFor(
      () =>
        rows<{ state: string; last_error: string }>(
          db.manager,
          `SELECT state, last_error FROM notification_deliveries WHERE notification_id = $1`,
          [n.id],
        ),
      (found) => found.length > 0,
    );
    expect(delivery!.state).toBe('failed');
    expect(delivery!.last_error).toContain('invalid_aliases');
    expect(oneSignal.pushes.filter((p) => p.externalIds.includes(stranger.id))).toHaveLength(0);
  });

  it('emits a new in-app notification live to its user’s sockets only', async () => {
    const open = (token?: string) =>
      new Promise<{ socket: Socket; error?: { code?: string } }>((resolve) => {
        const socket = connect(`${api.url}/notifications`, {
          auth: token ? { token } : {},
          transports: ['websocket'],
          reconnection: false,
          forceNew: true,
        });
        socket.once('connect', () => resolve({ socket }));
        socket.once('connect_error', (error: Error & { data?: { code?: string } }) =>
          resolve({ socket, error: error.data }),
        );
      });
    const anonymous = await open();
    expect(anonymous.error?.code).toBe('auth.unauthenticated');
    anonymous.socket.close();

    const mine = await open(user.accessToken);
    const stranger = await signedInUser(api);
    const theirs = await open(stranger.accessToken);
    const strangerGot: unknown[] = [];
    theirs.socket.on('notification', (n: unknown) => strangerGot.push(n));
    try {
      const received = new Promise<{ id: string; title: string }>((resolve) =>
        mine.socket.once('notification', resolve),
      );
      const n = await notify({ userId: user.id, title: 'Live' });
      await expect(received).resolves.toMatchObject({ id: n.id, title: 'Live', type: 'test.note' });
      await sleep(200);
      expect(strangerGot).toEqual([]);
    } finally {
      mine.socket.close();
      theirs.socket.close();
    }
  });
});
