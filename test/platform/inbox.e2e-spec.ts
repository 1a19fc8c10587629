import {
  dataSourceOptions,
  InboxHandler,
  KeepRawBody,
  Public,
  RawBody,
  rows,
  type InboxEvent,
  type InboxEventHandler,
  type ReceiveResult,
  type Tx,
} from '@bourse/platform';
import { Body, Controller, Injectable, Module, Post } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { SweepInboxProcessor } from '../../apps/worker/src/processors/sweep-inbox.processor';
import {
  SIGNATURE_HEADER,
  sign,
  TEST_WEBHOOK_PATH,
  TestEventDto,
  TestWebhookApiModule,
} from '../factories/webhooks';
import { startApi, testConfig, type TestServer } from '../setup/apps';
import { adminQuery, TEST_DB_ENV, testDatabaseUrl } from '../setup/test-env';
import { startWorker } from '../setup/worker';

// Every worker relays the whole outbox of its database: the test provider's events get a
// database of their own, so no other spec file's worker (which has no handler for them) takes
// their jobs, and this file's worker takes none of theirs.
const DATABASE = `${process.env[TEST_DB_ENV]}_inbox`;
const ENV = {
  DATABASE_URL: testDatabaseUrl(DATABASE),
  REDIS_KEY_PREFIX: `${process.env.REDIS_KEY_PREFIX}-inbox`,
  OUTBOX_RELAY_INTERVAL_MS: '20',
};

@Public()
@Controller('test/plain')
class PlainController {
  @Post('events')
  accept(
    @Body() event: TestEventDto,
    @RawBody() raw: Buffer | undefined,
  ): { id: string; raw: string | null } {
    return { id: event.id, raw: raw?.toString('utf8') ?? null };
  }

  @Post('raw')
  @KeepRawBody()
  echo(@RawBody() raw: Buffer | undefined): { raw: string | null } {
    return { raw: raw?.toString('utf8') ?? null };
  }
}

@Module({ imports: [TestWebhookApiModule], controllers: [PlainController] })
class TestProviderApiModule {}

@InboxHandler('test')
@Injectable()
class TestEventHandler implements InboxEventHandler {
  async handle(event: InboxEvent, tx: Tx): Promise<void> {
    const failTimes = Number(event.payload.failTimes ?? 0);
    if (event.attempts < failTimes) {
      throw new Error(`refused by the test (run ${event.attempts + 1})`);
    }
    await rows(tx, `INSERT INTO inbox_test_effects (event_id) VALUES ($1)`, [event.eventId]);
  }
}

@Module({ providers: [TestEventHandler] })
class TestProviderWorkerModule {}

async function waitFor<T>(probe: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await probe();
    if (done(value)) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`condition not met within 15 s; last value ${JSON.stringify(value)}`);
    }
    await sleep(25);
  }
}

/** A metric's value in a Prometheus text page (0 when the series is absent). */
function metric(page: string, series: string): number {
  const line = page.split('\n').find((l) => l.startsWith(`${series} `));

  return line ? Number(line.slice(series.length + 1)) : 0;
}

interface InboxRow {
  id: string;
  event_id: string;
  payload: Record<string, unknown>;
  processed_at: Date | null;
  attempts: number;
  last_error: string | null;
}

describe('webhook intake and the inbox', () => {
  let api: TestServer;
  let worker: TestServer | undefined;
  let db: DataSource;

  const query = <T>(sql: string, params: unknown[] = []) => rows<T>(db.manager, sql, params);
  const inboxRows = (eventIds: string[]) =>
    query<InboxRow>(`SELECT * FROM inbox WHERE event_id = ANY($1) ORDER BY id`, [eventIds]);
  const effects = (eventIds: string[]) =>
    query<{ event_id: string }>(
      `SELECT event_id FROM inbox_test_effects WHERE event_id = ANY($1) ORDER BY id`,
      [eventIds],
    );
  const jobsOf = (inboxIds: string[]) =>
    query<{ job_id: string }>(`SELECT job_id FROM outbox WHERE job_id = ANY($1)`, [
      inboxIds.map((id) => `inbox:${id}`),
    ]);
  const event = (extra: Record<string, unknown> = {}) => ({
    id: `evt_${randomUUID()}`,
    type: 'test.payment_succeeded',
    ...extra,
  });
  /** Sends `body` as the provider would: these exact bytes, signed unless told otherwise. */
  const deliver = (body: object | string, signature?: string, server = api) => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);

    return server.request('POST', TEST_WEBHOOK_PATH, {
      body: text,
      headers: { [SIGNATURE_HEADER]: signature ?? sign(text) },
    });
  };
  const startTestWorker = async () => {
    worker = await startWorker(ENV, [TestProviderWorkerModule]);

    return worker;
  };
  const allProcessed = (list: InboxRow[], n: number) =>
    list.length === n && list.every((row) => row.processed_at !== null);

  beforeAll(async () => {
    await adminQuery(`CREATE DATABASE ${DATABASE}`);
    db = new DataSource(
      dataSourceOptions({ ...testConfig(ENV).database, poolSize: 2 }, { migrations: MIGRATIONS }),
    );
    await db.initialize();
    await db.runMigrations();
    await db.query(`
      CREATE TABLE inbox_test_effects (
        id       bigserial PRIMARY KEY,
        event_id text NOT NULL
      )`);
    api = await startApi(ENV, [TestProviderApiModule]);
  });
  afterEach(async () => {
    await worker?.close();
    worker = undefined;
  });
  afterAll(async () => {
    await api?.close();
    await db?.destroy();
    await adminQuery(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
  });

  it('stores an event delivered ten times at once once, with one job, and applies it once', async () => {
    const sent = event();
    const before = (await api.metrics()).body as string;

    const answers = await Promise.all(Array.from({ length: 10 }, () => deliver(sent)));

    expect(answers.map((answer) => answer.status)).toEqual(Array(10).fill(200));
    const results = answers.map((answer) => answer.body as ReceiveResult);
    expect(results.filter((result) => !result.duplicate)).toHaveLength(1);
    expect(results.every((result) => result.received)).toBe(true);
    const stored = await inboxRows([sent.id]);
    expect(stored).toEqual([
      expect.objectContaining({ payload: sent, processed_at: null, attempts: 0 }),
    ]);
    expect(await jobsOf([stored[0]!.id])).toHaveLength(1);
    const after = (await api.metrics()).body as string;
    const delta = (series: string) => metric(after, series) - metric(before, series);
    expect(delta('inbox_events_received_total{provider="test"}')).toBe(1);
    expect(delta('inbox_events_duplicate_total{provider="test"}')).toBe(9);

    await startTestWorker();
    const [processed] = await waitFor(
      () => inboxRows([sent.id]),
      (list) => allProcessed(list, 1),
    );

    expect(processed).toMatchObject({ attempts: 1, last_error: null });
    expect(await effects([sent.id])).toEqual([{ event_id: sent.id }]);
    // A redelivery after processing is a duplicate too: nothing stored, nothing run again.
    expect((await deliver(sent)).body).toEqual({ received: true, duplicate: true });
    await sleep(200);
    expect(await effects([sent.id])).toHaveLength(1);
  });

  it('refuses a delivery whose signature does not match its bytes with a 400, storing nothing', async () => {
    const sent = event();
    const text = JSON.stringify(sent);
    const before = (await api.metrics()).body as string;

    const answers = [
      await deliver(text, sign(`${text} `)),
      await deliver(text, 'not-hex'),
      await deliver(
        text,
        sign(text).replace(/^./, (c) => (c === '0' ? '1' : '0')),
      ),
      await api.request('POST', TEST_WEBHOOK_PATH, { body: text }),
    ];

    for (const answer of answers) {
      expect(answer.status).toBe(400);
      expect(answer.headers.get('content-type')).toContain('application/problem+json');
      expect(answer.body).toMatchObject({ code: 'inbox.invalid_signature' });
    }
    expect(await inboxRows([sent.id])).toEqual([]);
    const after = (await api.metrics()).body as string;
    const series = 'inbox_signature_failures_total{provider="test"}';
    expect(metric(after, series) - metric(before, series)).toBe(4);
  });

  it('checks the signature over the exact bytes sent, not a re-serialization of them', async () => {
    const id = `evt_${randomUUID()}`;
    // Key order and spacing JSON.stringify would not reproduce.
    const text = `{ "type" : "test.refund",\n  "id": "${id}" }`;

    const answer = await deliver(text);

    expect(answer.status).toBe(200);
    expect(await inboxRows([id])).toEqual([
      expect.objectContaining({ payload: { type: 'test.refund', id } }),
    ]);
  });

  it('accepts fields the provider adds that we do not model, on webhook routes only', async () => {
    const sent = event({
      livemode: false,
      customer: { name: 'Ada', vatId: 'GB123' },
      data: { object: { amount: 1250, currency: 'usd' } },
    });

    const accepted = await deliver(sent);
    const refused = await api.request('POST', '/test/plain/events', { body: sent });

    expect(accepted.status).toBe(200);
    expect((await inboxRows([sent.id]))[0]!.payload).toEqual(sent);
    expect(refused.status).toBe(400);
    expect(refused.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'customer.vatId',
      'data',
      'livemode',
    ]);
  });

  it('still checks the fields a webhook DTO declares, naming them, and stores nothing', async () => {
    const sent = { type: 'test.payment_succeeded', failTimes: 'twice' };

    const answer = await deliver(sent);

    expect(answer.status).toBe(400);
    expect(answer.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'failTimes',
      'id',
    ]);
    expect(await query(`SELECT 1 FROM inbox WHERE payload->>'failTimes' = 'twice'`)).toEqual([]);
  });

  it('keeps the raw body only on routes that ask for it', async () => {
    const text = `{"id":  "evt_raw", "type": "test.raw"}`;

    const kept = await api.request('POST', '/test/plain/raw', { body: text });
    const notKept = await api.request('POST', '/test/plain/events', { body: text });

    expect(kept.body).toEqual({ raw: text });
    expect(notKept.body).toEqual({ id: 'evt_raw', raw: null });
    expect((await api.request('POST', '/test/plain/nowhere', { body: text })).status).toBe(404);
  });

  it('processes each event that arrived while no worker ran once, when a worker starts', async () => {
    const sent = Array.from({ length: 20 }, () => event());
    const answers = await Promise.all(sent.map((one) => deliver(one)));
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
    const ids = sent.map((one) => one.id);
    await sleep(200);
    expect((await inboxRows(ids)).every((row) => row.processed_at === null)).toBe(true);

    const started = await startTestWorker();
    const processed = await waitFor(
      () => inboxRows(ids),
      (list) => allProcessed(list, 20),
    );

    expect(processed.every((row) => row.attempts === 1)).toBe(true);
    const applied = (await effects(ids)).map((effect) => effect.event_id);
    expect(applied.sort()).toEqual([...ids].sort());
    // Events earlier tests left unprocessed are this worker's too; once all are done, no lag.
    await waitFor(
      async () => (await started.metrics()).body as string,
      (page) => metric(page, 'inbox_oldest_unprocessed_seconds') === 0,
    );
  });

  it('records a failed run on the event and applies it once on the retry', async () => {
    await startTestWorker();
    const sent = event({ failTimes: 1 });

    await deliver(sent);
    const [processed] = await waitFor(
      () => inboxRows([sent.id]),
      (list) => allProcessed(list, 1),
    );

    expect(processed).toMatchObject({ attempts: 2, last_error: 'refused by the test (run 1)' });
    expect(await effects([sent.id])).toHaveLength(1);
  });

  it('sweeps events whose job is gone, leaving those whose job still runs', async () => {
    const started = await startTestWorker();
    const [purged, failed, pending] = [event(), event(), event()];
    const insert = async (sent: { id: string; type: string }) => {
      const [row] = await query<{ id: string }>(
        `INSERT INTO inbox (provider, event_id, event_type, payload, received_at)
         VALUES ('test', $1, $2, $3::jsonb, now() - interval '5 minutes') RETURNING id`,
        [sent.id, sent.type, JSON.stringify(sent)],
      );

      return row!.id;
    };
    // No outbox row: purged, say. A row failed out of attempts. A row still in Bull's hands
    // (enqueued and just checked, so the reconcile pass leaves it alone during the test).
    await insert(purged);
    const failedId = await insert(failed);
    const pendingId = await insert(pending);
    await query(
      `INSERT INTO outbox (queue, name, job_id, payload, enqueued_at, checked_at, failed_at)
       VALUES ('inbox', 'inbox.process-event', $1, '{}', now(), now(), now()),
              ('inbox', 'inbox.process-event', $2, '{}', now(), now(), NULL)`,
      [`inbox:${failedId}`, `inbox:${pendingId}`],
    );
    const lag = metric(
      (await started.metrics()).body as string,
      'inbox_oldest_unprocessed_seconds',
    );
    expect(lag).toBeGreaterThanOrEqual(300);

    // Not its count: the sweep the scheduler writes each minute may run beside this one.
    await started.app.get(SweepInboxProcessor).handle();

    const after = await inboxRows([purged.id, failed.id, pending.id]);
    expect(after.map((row) => row.processed_at !== null)).toEqual([true, true, false]);
    expect((await effects([purged.id, failed.id, pending.id])).map((e) => e.event_id)).toEqual([
      purged.id,
      failed.id,
    ]);
    expect(await started.app.get(SweepInboxProcessor).handle()).toBe(0);
    await query(`DELETE FROM inbox WHERE id = $1`, [pendingId]);
  });

  it('limits webhook routes by their own limit instead of the per-IP user limit', async () => {
    const limited = await startApi(
      {
        ...ENV,
        REDIS_KEY_PREFIX: `${ENV.REDIS_KEY_PREFIX}-limits`,
        RATE_LIMIT_PER_MINUTE: '2',
        WEBHOOK_RATE_LIMIT_PER_MINUTE: '4',
      },
      [TestProviderApiModule],
    );
    try {
      const webhook: number[] = [];
      for (let i = 0; i < 5; i++) {
        webhook.push((await deliver(event(), undefined, limited)).status);
      }
      const plain: number[] = [];
      for (let i = 0; i < 3; i++) {
        plain.push((await limited.request('POST', '/test/plain/raw', { body: {} })).status);
      }

      expect(webhook).toEqual([200, 200, 200, 200, 429]);
      expect(plain).toEqual([201, 201, 429]);
    } finally {
      await limited.close();
    }
  });

  it('leaves webhook routes out of the OpenAPI document', async () => {
    const document = (await api.request('GET', '/openapi.json')).body as {
      paths: Record<string, unknown>;
    };

    expect(document.paths['/test/plain/raw']).toBeDefined();
    expect(document.paths[TEST_WEBHOOK_PATH]).toBeUndefined();
  });
});
