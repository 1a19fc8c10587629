import {
  ConfigModule,
  Database,
  DatabaseModule,
  OutboxService,
  QueueModule,
  QueueRegistry,
  rows,
  type OutboxJob,
  type PeriodicJobPayload,
} from '@bourse/platform';
import { BullModule, Process, Processor } from '@nestjs/bull';
import { Inject, Module, type DynamicModule, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Job, JobOptions } from 'bull';
import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { OutboxRepository } from '../../libs/platform/src/queue/outbox.repository';
import { PurgeOutboxProcessor } from '../../apps/worker/src/processors/purge-outbox.processor';
import { PlatformScheduler } from '../../apps/worker/src/schedulers/platform.scheduler';
import { testConfig, type TestServer } from '../setup/apps';
import { deleteRedisKeys } from '../setup/redis';
import { startWorker } from '../setup/worker';

// The worker's Redis keys live under their own prefix (inside the run's, so teardown removes
// them): wiping them is a FLUSHALL as far as the worker can tell, without touching the keys of
// other spec files running in parallel.
const PREFIX = `${process.env.REDIS_KEY_PREFIX}-worker`;
const WORKER_ENV = {
  REDIS_KEY_PREFIX: PREFIX,
  OUTBOX_RELAY_INTERVAL_MS: '20',
  OUTBOX_RECONCILE_AFTER_MS: '200',
};
const RECORD = 'test.record';

interface RecordJob {
  sleepMs?: number;
  fail?: boolean;
}

/** A queue with a processor that records each execution in outbox_test_runs. */
function recorder(queue: string, defaultJobOptions?: JobOptions): DynamicModule {
  @Processor(queue)
  class Recorder {
    constructor(@Inject(Database) private readonly db: Database) {}

    @Process(RECORD)
    async handle(job: Job<RecordJob>): Promise<void> {
      const [run] = await rows<{ id: string }>(
        this.db.manager,
        `INSERT INTO outbox_test_runs (queue, job_id) VALUES ($1, $2) RETURNING id`,
        [queue, String(job.id)],
      );
      await sleep(job.data.sleepMs ?? 0);
      if (job.data.fail) {
        throw new Error('refused by the test');
      }
      await rows(
        this.db.manager,
        `UPDATE outbox_test_runs SET finished_at = clock_timestamp() WHERE id = $1`,
        [run!.id],
      );
    }
  }

  @Module({})
  class RecorderModule {}

  return {
    module: RecorderModule,
    imports: [BullModule.registerQueue({ name: queue, defaultJobOptions })],
    providers: [Recorder],
  };
}

/** What the api does: enqueue through the outbox in its own transactions (no relay). */
@Module({})
class ProducerModule {}

async function waitFor<T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `condition not met within ${timeoutMs} ms; last value ${JSON.stringify(value)}`,
      );
    }
    await sleep(25);
  }
}

describe('transactional outbox and the worker', () => {
  let producer: INestApplicationContext;
  let db: Database;
  let outbox: OutboxService;
  const workers: TestServer[] = [];

  const boot = async (imports: DynamicModule[] = [], env: Record<string, string> = {}) => {
    const worker = await startWorker({ ...WORKER_ENV, ...env }, imports);
    workers.push(worker);

    return worker;
  };
  const job = (queue: string, key: string, data: RecordJob = {}): OutboxJob<RecordJob> => ({
    queue,
    name: RECORD,
    jobId: `test:${key}`,
    payload: data,
  });
  const enqueue = (...jobs: OutboxJob[]) =>
    db.transaction(undefined, async (tx) => {
      const inserted: boolean[] = [];
      for (const one of jobs) {
        inserted.push(await outbox.enqueue(tx, one));
      }

      return inserted;
    });
  const outboxRows = (queue: string) =>
    rows<{
      job_id: string;
      enqueued_at: Date | null;
      completed_at: Date | null;
      failed_at: Date | null;
      last_error: string | null;
      attempts: number;
    }>(db.manager, `SELECT * FROM outbox WHERE queue = $1 ORDER BY id`, [queue]);
  const runs = (queue: string) =>
    rows<{ job_id: string; finished_at: Date | null }>(
      db.manager,
      `SELECT job_id, finished_at FROM outbox_test_runs WHERE queue = $1 ORDER BY id`,
      [queue],
    );
  const allCompleted = (list: { completed_at: Date | null }[], n: number) =>
    list.length === n && list.every((row) => row.completed_at !== null);
  const newQueue = () => `test-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    producer = await NestFactory.createApplicationContext(
      {
        module: ProducerModule,
        imports: [ConfigModule.forRoot(testConfig()), DatabaseModule, QueueModule],
      },
      { logger: false },
    );
    await producer.init();
    db = producer.get(Database);
    outbox = producer.get(OutboxService);
    await db.manager.query(`
      CREATE TABLE IF NOT EXISTS outbox_test_runs (
        id          bigserial PRIMARY KEY,
        queue       text NOT NULL,
        job_id      text NOT NULL,
        started_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
        finished_at timestamptz
      )`);
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.close()));
  });
  afterAll(() => producer.close());

  it('delivers a job written in a committed transaction and marks its row completed', async () => {
    const queue = newQueue();
    await boot([recorder(queue)]);

    expect(await enqueue(job(queue, `${queue}:a`))).toEqual([true]);

    const [row] = await waitFor(
      () => outboxRows(queue),
      (list) => allCompleted(list, 1),
    );
    expect(row).toMatchObject({ job_id: `test:${queue}:a`, attempts: 1, failed_at: null });
    expect(row!.enqueued_at).not.toBeNull();
    expect(await runs(queue)).toEqual([
      { job_id: `test:${queue}:a`, finished_at: expect.any(Date) },
    ]);
  });

  it('relays at the commit, not at the next poll: the insert notifies the listening relay', async () => {
    const queue = newQueue();
    // A poll a minute apart: only the commit's notification can relay within the wait below.
    await boot([recorder(queue)], { OUTBOX_RELAY_INTERVAL_MS: '60000' });
    // Relayed once the relay LISTENs (a pass runs then, for rows committed before it).
    await enqueue(job(queue, `${queue}:warm`));
    await waitFor(
      () => outboxRows(queue),
      (list) => allCompleted(list, 1),
    );

    await enqueue(job(queue, `${queue}:a`));

    await waitFor(
      () => outboxRows(queue),
      (list) => allCompleted(list, 2),
      5_000,
    );
  });

  it('enqueues nothing when the transaction rolls back', async () => {
    const queue = newQueue();
    await boot([recorder(queue)]);

    await expect(
      db.transaction(undefined, async (tx) => {
        await outbox.enqueue(tx, job(queue, `${queue}:a`));
        throw new Error('business rule failed');
      }),
    ).rejects.toThrow('business rule failed');
    await sleep(400); // twenty relay passes

    expect(await outboxRows(queue)).toEqual([]);
    expect(await runs(queue)).toEqual([]);
  });

  it('delivers rows committed while no relay ran, once each, with two replicas racing', async () => {
    const queue = newQueue();
    const keys = Array.from({ length: 40 }, (_, i) => `${queue}:${i}`);
    for (const key of keys) {
      await enqueue(job(queue, key));
    }
    expect((await outboxRows(queue)).every((row) => row.enqueued_at === null)).toBe(true);

    const started = Date.now();
    await Promise.all([boot([recorder(queue)]), boot([recorder(queue)])]);
    const delivered = await waitFor(
      () => outboxRows(queue),
      (list) => allCompleted(list, 40),
    );
    const elapsed = Date.now() - started;

    expect(delivered.every((row) => row.attempts === 1)).toBe(true);
    const executed = (await runs(queue)).map((run) => run.job_id);
    expect(executed).toHaveLength(40);
    expect(new Set(executed)).toEqual(new Set(keys.map((key) => `test:${key}`)));
    expect(elapsed).toBeLessThan(5000);
  });

  it('collapses a duplicate enqueue with the same job id into one row and one execution', async () => {
    const queue = newQueue();
    await boot([recorder(queue)]);
    const same = job(queue, `${queue}:dup`);

    expect(await enqueue(same, same)).toEqual([true, false]);
    expect(await enqueue(same)).toEqual([false]);
    await waitFor(
      () => outboxRows(queue),
      (list) => allCompleted(list, 1),
    );
    // Enqueuing finished work again is a no-op too.
    expect(await enqueue(same)).toEqual([false]);
    await sleep(500);

    expect(await outboxRows(queue)).toHaveLength(1);
    expect(await runs(queue)).toHaveLength(1);
  });

  it('rejects a numeric job id, which could collide with ids Bull generates', async () => {
    await expect(enqueue({ ...job('any', ''), jobId: '42' })).rejects.toThrow(/non-numeric/);
  });

  it('hands a row committed after the relay transaction began to Bull with no delay', async () => {
    const queue = newQueue();
    const claimed = await db.transaction(undefined, async (tx) => {
      await tx.query('SELECT 1'); // fixes now() for this transaction
      await sleep(50);
      await enqueue(job(queue, `${queue}:late`)); // created_at is 50 ms after that now()

      return producer.get(OutboxRepository).claimUnsent(tx, 1000);
    });

    expect(claimed.filter((row) => row.queue === queue)).toEqual([
      expect.objectContaining({ jobId: `test:${queue}:late`, dueInMs: 0 }),
    ]);
  });

  it('re-enqueues jobs Redis lost before they ran, and each then runs once', async () => {
    const queue = newQueue();
    // No processor for the queue yet: the jobs wait in Bull.
    const relayOnly = await boot();
    const keys = Array.from({ length: 10 }, (_, i) => `${queue}:${i}`);
    await enqueue(...keys.map((key) => job(queue, key)));
    await waitFor(
      () => outboxRows(queue),
      (list) => list.length === 10 && list.every((row) => row.enqueued_at !== null),
    );
    const bull = relayOnly.app.get(QueueRegistry).get(queue);
    expect((await bull.getJobCounts()).waiting).toBe(10);

    await deleteRedisKeys(`${PREFIX}:*`);
    expect(await bull.getJob(`test:${keys[0]}`)).toBeNull();

    const readded = await waitFor(
      () => outboxRows(queue),
      (list) => list.every((row) => row.attempts === 2),
    );
    expect(readded.every((row) => row.completed_at === null)).toBe(true);
    expect((await bull.getJobCounts()).waiting).toBe(10);
    const metrics = await relayOnly.metrics();
    expect(metrics.body).toContain(`outbox_reenqueued_total{queue="${queue}"} 10`);
    // Nothing processes them yet: the oldest has been waiting since it was added again.
    const oldest = new RegExp(`^queue_oldest_waiting_seconds\\{queue="${queue}"\\} (\\S+)$`, 'm');
    expect(Number(oldest.exec(metrics.body)?.[1])).toBeGreaterThan(0);
    expect(relayOnly.logs.lines).toContainEqual(
      expect.objectContaining({ msg: 'outbox jobs missing from Redis were enqueued again' }),
    );

    await boot([recorder(queue)]);
    await waitFor(
      () => outboxRows(queue),
      (list) => allCompleted(list, 10),
    );
    const executed = (await runs(queue)).map((run) => run.job_id);
    expect(executed).toHaveLength(10);
    expect(new Set(executed).size).toBe(10);
  });

  it('marks only the rows Bull accepted and hands the refused ones over on the next pass', async () => {
    const refusing = newQueue();
    const healthy = newQueue();
    // Bull's add script increments the queue's id counter even for a custom job id: while that
    // counter is not a number, Redis refuses every add to this queue and only to it.
    const counter = `${PREFIX}:bull:${refusing}:id`;
    const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    try {
      await redis.set(counter, 'not-a-number');
      // The reconcile pass would only look after a minute: the relay alone must deliver.
      const worker = await boot([recorder(refusing), recorder(healthy)], {
        OUTBOX_RECONCILE_AFTER_MS: '60000',
      });
      await enqueue(
        job(refusing, `${refusing}:a`),
        job(healthy, `${healthy}:b`),
        job(refusing, `${refusing}:c`),
      );
      await waitFor(
        () => outboxRows(healthy),
        (list) => allCompleted(list, 1),
      );
      await sleep(200); // ten relay passes, each refused

      expect(await outboxRows(refusing)).toMatchObject([
        { enqueued_at: null, attempts: 0 },
        { enqueued_at: null, attempts: 0 },
      ]);
      expect(worker.logs.lines).toContainEqual(
        expect.objectContaining({ msg: 'outbox jobs not added to Bull, will retry' }),
      );

      await redis.del(counter);
      const started = Date.now();
      const delivered = await waitFor(
        () => outboxRows(refusing),
        (list) => allCompleted(list, 2),
      );

      expect(Date.now() - started).toBeLessThan(2000);
      expect(delivered.map((row) => row.attempts)).toEqual([1, 1]);
      expect(await runs(refusing)).toHaveLength(2);
      const metrics = (await worker.metrics()).body as string;
      expect(metrics).toContain(`outbox_relayed_total{queue="${refusing}"} 2`);
      expect(metrics).not.toContain(`outbox_reenqueued_total{queue="${refusing}"}`);
    } finally {
      await redis.quit();
    }
  });

  it('records a job that completed although its completion event was lost, without rerunning it', async () => {
    const queue = newQueue();
    await boot([recorder(queue)]);
    await enqueue(job(queue, `${queue}:a`));
    await waitFor(
      () => outboxRows(queue),
      (list) => allCompleted(list, 1),
    );

    await db.manager.query(
      `UPDATE outbox SET completed_at = NULL, checked_at = now() - interval '1 hour' WHERE queue = $1`,
      [queue],
    );
    const [row] = await waitFor(
      () => outboxRows(queue),
      (list) => allCompleted(list, 1),
    );

    expect(row!.attempts).toBe(1);
    expect(await runs(queue)).toHaveLength(1);
  });

  it('marks a job failed once out of attempts and does not send it again', async () => {
    const queue = newQueue();
    await boot([recorder(queue, { attempts: 2 })]);
    await enqueue(job(queue, `${queue}:bad`, { fail: true }));

    const [row] = await waitFor(
      () => outboxRows(queue),
      (list) => Boolean(list[0]?.failed_at),
    );
    expect(row).toMatchObject({ last_error: 'refused by the test', completed_at: null });
    await sleep(1000); // five reconcile delays

    expect(await outboxRows(queue)).toMatchObject([{ attempts: 1 }]);
    expect(await runs(queue)).toHaveLength(2);
  });

  it('serves readiness with its queues and the outbox and queue metrics', async () => {
    const queue = newQueue();
    const worker = await boot([recorder(queue)]);
    await enqueue(job(queue, `${queue}:a`));
    await waitFor(
      () => outboxRows(queue),
      (list) => allCompleted(list, 1),
    );

    const ready = await worker.request('GET', '/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.details).toMatchObject({
      postgres: { status: 'up' },
      redis: { status: 'up' },
      queues: { status: 'up' },
    });

    const metrics = (await worker.metrics()).body;
    expect(metrics).toMatch(/^outbox_pending_rows \d+$/m);
    expect(metrics).toMatch(/^outbox_oldest_pending_seconds \d/m);
    expect(metrics).toContain(`outbox_relayed_total{queue="${queue}"} 1`);
    expect(metrics).toContain('# TYPE outbox_reenqueued_total counter');
    expect(metrics).toContain(`queue_jobs{queue="${queue}",state="completed"} 1`);
    expect(metrics).toMatch(/^queue_jobs\{queue="platform",state="waiting"\} \d+$/m);
    expect((await worker.request('GET', '/docs')).status).toBe(404);
  });

  it('purges expired idempotency keys through scheduler, outbox, relay, Bull and processor', async () => {
    const insertKey = (key: string, expires: string) =>
      db.manager.query(
        `INSERT INTO idempotency_keys
           (scope, key, method, path, request_hash, response_status, expires_at)
         VALUES ('outbox-test', $1, 'POST', '/v1/x', 'h', 200, now() + $2::interval)`,
        [key, expires],
      );
    const expired = `expired-${randomUUID()}`;
    const live = `live-${randomUUID()}`;
    await insertKey(expired, '-1 minute');
    await insertKey(live, '1 hour');

    // One-second buckets, so this test's worker schedules a bucket no earlier test used.
    await boot([], { IDEMPOTENCY_PURGE_INTERVAL_SECONDS: '1' });
    await waitFor(
      () => rows(db.manager, `SELECT key FROM idempotency_keys WHERE scope = 'outbox-test'`, []),
      (keys) => keys.length === 1,
    );

    expect(
      await rows(db.manager, `SELECT key FROM idempotency_keys WHERE scope = 'outbox-test'`),
    ).toEqual([{ key: live }]);
    const purges = await rows<{ job_id: string; completed_at: Date | null }>(
      db.manager,
      `SELECT job_id, completed_at FROM outbox WHERE name = 'platform.purge-idempotency-keys'`,
    );
    expect(purges).toContainEqual({
      job_id: expect.stringMatching(/^purge-idempotency-keys:\d{4}-\d\d-\d\dT[\d:.]+Z$/),
      completed_at: expect.any(Date),
    });
    await db.manager.query(`DELETE FROM idempotency_keys WHERE scope = 'outbox-test'`);
  });

  it('schedules the purge once per time bucket, whichever replica asks', async () => {
    const [a, b] = await Promise.all([boot(), boot()]);
    const at = new Date('2031-01-01T10:20:30Z');

    const results = await Promise.all(
      [a, b].map((worker) => {
        const scheduler = worker.app.get(PlatformScheduler);

        return scheduler.schedule(scheduler.purgeIdempotencyKeys, at);
      }),
    );

    expect(results.sort()).toEqual([false, true]);
    expect(
      await rows(db.manager, `SELECT job_id FROM outbox WHERE job_id LIKE '%2031-01-01%'`),
    ).toEqual([{ job_id: 'purge-idempotency-keys:2031-01-01T10:00:00.000Z' }]);
  });

  it('purges finished rows past the retention, never unfinished ones', async () => {
    const queue = newQueue();
    const insert = (key: string, column: 'completed_at' | 'failed_at' | null, daysAgo: number) =>
      db.manager.query(
        `INSERT INTO outbox (queue, name, job_id, payload, created_at, enqueued_at${column ? `, ${column}` : ''})
         VALUES ($1, 'test.record', $2, '{}', now() - make_interval(days => $3),
                 now() - make_interval(days => $3)${column ? ', now() - make_interval(days => $3)' : ''})`,
        [queue, `test:${key}`, daysAgo],
      );
    await insert('old-completed', 'completed_at', 10);
    await insert('old-failed', 'failed_at', 10);
    await insert('recent-completed', 'completed_at', 1);
    await insert('old-unfinished', null, 10);

    // Retention is 7 days (the default): the cutoff is the job's bucket minus 7 days.
    const processor = (await boot()).app.get(PurgeOutboxProcessor);
    await processor.handle({
      data: { bucket: new Date().toISOString() },
    } as Job<PeriodicJobPayload>);

    expect((await outboxRows(queue)).map((row) => row.job_id)).toEqual([
      'test:recent-completed',
      'test:old-unfinished',
    ]);
  });

  it('lets a running job finish before the worker closes', async () => {
    const queue = newQueue();
    const worker = await boot([recorder(queue)]);
    await enqueue(job(queue, `${queue}:slow`, { sleepMs: 1500 }));
    await waitFor(
      () => runs(queue),
      (list) => list.length === 1,
    );

    const started = Date.now();
    await workers.splice(workers.indexOf(worker), 1)[0]!.close();
    const closeMs = Date.now() - started;

    expect(closeMs).toBeGreaterThan(1000);
    expect(await runs(queue)).toEqual([
      { job_id: `test:${queue}:slow`, finished_at: expect.any(Date) },
    ]);
    expect(await outboxRows(queue)).toMatchObject([{ completed_at: expect.any(Date) }]);
  });
});
