import { NotificationsService, type NotifyInput } from '@bourse/notifications';
import { Database, dataSourceOptions, rows } from '@bourse/platform';
import { createHmac } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { TwilioSimulator } from '../../simulators/twilio/twilio.simulator';
import { signedInUser, type SignedInUser } from '../factories/users';
import { startApi, testConfig, type TestServer } from '../setup/apps';
import { adminQuery, TEST_DB_ENV, testDatabaseUrl } from '../setup/test-env';
import { startWorker } from '../setup/worker';

// The worker applies every inbox event and outbox job of its database: a database of its own.
const DATABASE = `${process.env[TEST_DB_ENV]}_sms`;
const ACCOUNT_SID = `AC${'5'.repeat(32)}`;
const AUTH_TOKEN = 'sms-spec-auth-token';
// The public URL Twilio is given (and signs); the simulator posts to the api behind it.
const CALLBACK_URL = 'https://api.bourse.test/v1/webhooks/twilio';

interface SmsRow {
  sid: string;
  notification_id: string;
  to_number: string;
  status: string;
  error_code: number | null;
}

async function waitFor<T>(probe: () => T | Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > deadline) {
      return value;
    }
    await sleep(50);
  }
}

describe('SMS through Twilio (the simulator over HTTP, signed status callbacks through the inbox)', () => {
  let twilio: TwilioSimulator;
  let api: TestServer;
  let worker: TestServer;
  let db: Database;
  let phoneSeq = 0;

  const notify = (input: Partial<NotifyInput> & { userId: string }) =>
    api.app.get(Database).transaction(undefined, (tx) =>
      api.app.get(NotificationsService).notify(tx, {
        type: 'test.alert',
        title: 'Price alert',
        body: 'ACME crossed 12.30',
        ...input,
      }),
    );
  /** A user with a number of their own (555-01xx: fictional, valid), SMS on or off. */
  const userWithPhone = async (sms: boolean): Promise<SignedInUser & { phone: string }> => {
    const user = await signedInUser(api);
    const phone = `+1415555${String(100 + (phoneSeq++ % 900)).padStart(4, '0')}`;
    const saved = await api.request('PUT', '/v1/notifications/preferences', {
      token: user.accessToken,
      body: { in_app: false, email: false, push: false, sms, phone },
    });
    expect(saved.body).toEqual({ in_app: false, email: false, push: false, sms, phone });

    return { ...user, phone };
  };
  const smsOf = (notificationId: string) =>
    rows<SmsRow>(
      db.manager,
      `SELECT sid, notification_id, to_number, status, error_code FROM sms_messages
        WHERE notification_id = $1`,
      [notificationId],
    );
  const deliveryOf = async (notificationId: string) =>
    (
      await rows<{ state: string; attempts: number; last_error: string | null }>(
        db.manager,
        `SELECT state, attempts, last_error FROM notification_deliveries
          WHERE notification_id = $1 AND channel = 'sms'`,
        [notificationId],
      )
    )[0];
  const inboxCount = async (eventId?: string) =>
    (
      await rows<{ count: number }>(
        db.manager,
        `SELECT count(*)::int AS count FROM inbox
          WHERE provider = 'twilio' AND ($1::text IS NULL OR event_id = $1)`,
        [eventId ?? null],
      )
    )[0]!.count;
  const postCallback = (params: Record<string, string>, signature?: string) =>
    api.request('POST', '/v1/webhooks/twilio', {
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...(signature === undefined ? {} : { 'x-twilio-signature': signature }),
      },
      body: new URLSearchParams(params).toString(),
    });

  beforeAll(async () => {
    twilio = new TwilioSimulator({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
    await twilio.start();
    const env = {
      DATABASE_URL: testDatabaseUrl(DATABASE),
      REDIS_KEY_PREFIX: `${process.env.REDIS_KEY_PREFIX}-sms`,
      OUTBOX_RELAY_INTERVAL_MS: '20',
      TWILIO_API_URL: twilio.url,
      TWILIO_ACCOUNT_SID: ACCOUNT_SID,
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      TWILIO_STATUS_CALLBACK_URL: CALLBACK_URL,
    };
    await adminQuery(`CREATE DATABASE ${DATABASE}`);
    const source = new DataSource(
      dataSourceOptions({ ...testConfig(env).database, poolSize: 2 }, { migrations: MIGRATIONS }),
    );
    await source.initialize();
    await source.runMigrations();
    await source.destroy();
    api = await startApi(env);
    twilio.options.callbackOrigin = api.url;
    worker = await startWorker(env);
    db = worker.app.get(Database);
  });
  afterAll(async () => {
    await twilio?.stop();
    await worker?.close();
    await api?.close();
    await adminQuery(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
  });

  it('sends an SMS, and Twilio’s signed status callbacks take it to delivered', async () => {
    const user = await userWithPhone(true);
    const n = await notify({ userId: user.id });
    const [sms] = await waitFor(
      () => smsOf(n.id),
      (found) => found[0]?.status === 'delivered',
    );

    const sent = twilio.messages.filter((m) => m.to === user.phone);
    expect(sent).toEqual([
      {
        sid: sms!.sid,
        from: '+15005550006',
        to: user.phone,
        body: 'Price alert: ACME crossed 12.30',
        statusCallback: CALLBACK_URL,
        status: 'delivered',
      },
    ]);
    expect(sms).toEqual({
      sid: expect.stringMatching(/^SM[0-9a-f]{32}$/),
      notification_id: n.id,
      to_number: user.phone,
      status: 'delivered',
      error_code: null,
    });
    expect(await deliveryOf(n.id)).toEqual({ state: 'sent', attempts: 1, last_error: null });
    const callbacks = twilio.callbacks.filter((c) => c.params.MessageSid === sms!.sid);
    expect(callbacks.map((c) => [c.params.MessageStatus, c.answer])).toEqual([
      ['queued', 200],
      ['sent', 200],
      ['delivered', 200],
    ]);
    expect((await worker.metrics()).body).toMatch(
      /bourse_notifications_sent_total\{channel="sms"\} [1-9]/,
    );
  });

  it('sends a one-time code by SMS whatever the preferences, and records an undelivered one', async () => {
    const user = await userWithPhone(false);
    twilio.unreachable(user.phone);
    const n = await notify({
      userId: user.id,
      type: 'test.one_time_code',
      title: 'Bourse',
      body: 'Your code is 482913',
      channels: ['sms'],
    });
    expect(n.channels).toEqual(['sms']);
    const [sms] = await waitFor(
      () => smsOf(n.id),
      (found) => found[0]?.status === 'undelivered',
    );
    expect(sms).toMatchObject({ to_number: user.phone, status: 'undelivered', error_code: 30003 });
    expect(twilio.messages.find((m) => m.sid === sms!.sid)?.body).toBe(
      'Bourse: Your code is 482913',
    );

    // No number, no SMS: refused when the code is sent, naming what is missing.
    const nobody = await signedInUser(api);
    await expect(
      notify({ userId: nobody.id, channels: ['sms'], body: 'Your code is 1' }),
    ).rejects.toMatchObject({ code: 'notifications.phone_required' });
  });

  it('refuses a forged status callback, storing nothing, and applies a duplicate once', async () => {
    const user = await userWithPhone(true);
    const n = await notify({ userId: user.id });
    const [sms] = await waitFor(
      () => smsOf(n.id),
      (found) => found[0]?.status === 'delivered',
    );
    const delivered = twilio.callbacks.find(
      (c) => c.params.MessageSid === sms!.sid && c.params.MessageStatus === 'delivered',
    )!;
    const stored = await inboxCount();
    // Twilio's documented scheme, computed here without the SDK: base64 HMAC-SHA1 under the auth
    // token of the URL followed by each parameter name and value, sorted by name.
    const signed = Object.keys(delivered.params)
      .sort()
      .reduce((text, name) => text + name + delivered.params[name], CALLBACK_URL);
    expect(createHmac('sha1', AUTH_TOKEN).update(signed).digest('base64')).toBe(
      delivered.signature,
    );

    // The genuine signature over other parameters, a signature under another token, none at all.
    const forged = { ...delivered.params, MessageStatus: 'failed', ErrorCode: '30008' };
    for (const attempt of [
      postCallback(forged, delivered.signature),
      postCallback(forged, 'bm90IGEgc2lnbmF0dXJl'),
      postCallback(forged),
    ]) {
      const refused = await attempt;
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({ code: 'inbox.invalid_signature', status: 400 });
    }
    // Twilio delivering the same callback again: answered, stored and applied once.
    const again = await postCallback(delivered.params, delivered.signature);
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ received: true, duplicate: true });

    await sleep(300);
    expect(await inboxCount()).toBe(stored);
    expect(await inboxCount(`${sms!.sid}:delivered`)).toBe(1);
    expect(await inboxCount(`${sms!.sid}:failed`)).toBe(0);
    expect((await smsOf(n.id))[0]).toMatchObject({ status: 'delivered', error_code: null });
  });

  it('counts bad credentials and a number Twilio refuses as failures', async () => {
    const user = await userWithPhone(true);
    twilio.rotateAuthToken('rotated-in-the-console');
    try {
      const n = await notify({ userId: user.id });
      const failed = await waitFor(
        () => deliveryOf(n.id),
        (found) => found !== undefined,
      );
      expect(failed).toMatchObject({ state: 'failed', last_error: 'Authenticate' });
    } finally {
      twilio.rotateAuthToken(AUTH_TOKEN);
    }

    const refused = await userWithPhone(true);
    twilio.refuseNumber(refused.phone);
    const n = await notify({ userId: refused.id });
    const failed = await waitFor(
      () => deliveryOf(n.id),
      (found) => found !== undefined,
    );
    expect(failed).toMatchObject({
      state: 'failed',
      last_error: `The 'To' number ${refused.phone} is not a valid phone number.`,
    });
    expect(await smsOf(n.id)).toEqual([]);
    expect(twilio.messages.filter((m) => m.to === refused.phone)).toEqual([]);
    expect((await worker.metrics()).body).toMatch(
      /bourse_notifications_failed_total\{channel="sms"\} [2-9]/,
    );
  });

  it('refuses SMS preferences without a number or with a malformed one, naming the field', async () => {
    const user = await signedInUser(api);
    const missing = await api.request('PUT', '/v1/notifications/preferences', {
      token: user.accessToken,
      body: { in_app: true, email: true, push: true, sms: true },
    });
    expect(missing.status).toBe(422);
    expect(missing.body).toMatchObject({ code: 'notifications.phone_required', field: 'phone' });

    const malformed = await api.request('PUT', '/v1/notifications/preferences', {
      token: user.accessToken,
      body: { in_app: true, email: true, push: true, sms: true, phone: '0612345678' },
    });
    expect(malformed.status).toBe(400);
    expect(JSON.stringify(malformed.body)).toContain('phone');
    expect(
      (await api.request('GET', '/v1/notifications/preferences', { token: user.accessToken })).body,
    ).toEqual({ in_app: true, email: true, push: true, sms: false });
  });
});
