import {
  Database,
  flushErrorReports,
  OutboxService,
  Public,
  startTelemetry,
  TracedJob,
  type Telemetry,
} from '@bourse/platform';
import { BullModule, Process, Processor } from '@nestjs/bull';
import { Body, Controller, Module, Post, type DynamicModule } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { signedInUser } from '../factories/users';
import { startApi, testConfig, type TestServer } from '../setup/apps';
import { HttpRecorder, sentryEnvelopes } from '../setup/receivers';
import { startWorker } from '../setup/worker';

const QUEUE = `sentry-${randomUUID().slice(0, 8)}`;
const FAILING = 'test.always-fails';
// Values that must never reach the error tracker.
const SECRETS = ['hunter2-password', 'P12345678', 'query-token-value'];

/** A route with a bug (an unexpected error: 500) and one whose job always fails. */
function routes(): DynamicModule {
  @Controller('v1/sentry-test')
  class BuggyController {
    constructor(
      private readonly db: Database,
      private readonly outbox: OutboxService,
    ) {}

    @Post('bug')
    bug(@Body() _body: unknown): never {
      throw new Error('the ledger exploded');
    }

    @Public()
    @Post('jobs')
    async job(@Body() body: { id: string; documentNumber: string }): Promise<{ queued: boolean }> {
      const queued = await this.db.transaction(undefined, (tx) =>
        this.outbox.enqueue(tx, {
          queue: QUEUE,
          name: FAILING,
          jobId: `doomed:${body.id}`,
          payload: { documentNumber: body.documentNumber },
        }),
      );

      return { queued };
    }
  }

  @Module({ controllers: [BuggyController] })
  class BuggyModule {}

  return { module: BuggyModule };
}

function failingProcessor(): DynamicModule {
  @Processor(QUEUE)
  class Doomed {
    @Process(FAILING)
    @TracedJob()
    handle(): Promise<void> {
      return Promise.reject(new Error('the provider refused'));
    }
  }

  @Module({})
  class DoomedModule {}

  return {
    module: DoomedModule,
    // Two attempts, no backoff: only the second (final) failure is reported.
    imports: [
      BullModule.registerQueue({
        name: QUEUE,
        defaultJobOptions: { attempts: 2, backoff: 0 },
      }),
    ],
    providers: [Doomed],
  };
}

describe('error reporting to Sentry', () => {
  let sentry: HttpRecorder;
  let collector: HttpRecorder;
  let telemetry: Telemetry;
  let api: TestServer;
  let worker: TestServer;

  const events = () =>
    sentryEnvelopes(sentry).flatMap((envelope) =>
      envelope.items.filter((item) => item.type === 'event').map((item) => item.payload),
    );

  beforeAll(async () => {
    sentry = await HttpRecorder.start();
    collector = await HttpRecorder.start();
    const env = {
      SENTRY_DSN: `http://publickey@${new URL(sentry.url).host}/42`,
      SENTRY_ENVIRONMENT: 'test-env',
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
    };
    telemetry = await startTelemetry('bourse-test', testConfig(env));
    api = await startApi(env, [routes()]);
    worker = await startWorker(
      {
        ...env,
        REDIS_KEY_PREFIX: `${process.env.REDIS_KEY_PREFIX}-sentry`,
        OUTBOX_RELAY_INTERVAL_MS: '20',
        OUTBOX_RECONCILE_AFTER_MS: '200',
      },
      [failingProcessor()],
    );
  });

  afterAll(async () => {
    await worker?.close();
    await api?.close();
    await telemetry?.shutdown();
    await collector?.close();
    await sentry?.close();
  });

  it('sends one scrubbed event for an unhandled 500, with the request and trace ids', async () => {
    const user = await signedInUser(api);
    const requestId = `sentry-${randomUUID()}`;
    const response = await api.request('POST', '/v1/sentry-test/bug?token=query-token-value', {
      body: { password: 'hunter2-password', documentNumber: 'P12345678' },
      token: user.accessToken,
      headers: { 'x-request-id': requestId },
    });
    expect(response.status).toBe(500);
    await flushErrorReports();

    const sent = events().filter((event) => event.tags?.request_id === requestId);
    expect(sent).toHaveLength(1);
    const [event] = sent;
    const access = api.logs.lines.find(
      (line) => line.msg === 'request completed' && line.requestId === requestId,
    );
    expect(access?.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(event).toMatchObject({
      environment: 'test-env',
      tags: { request_id: requestId, trace_id: access!.traceId, service: 'bourse-test' },
      contexts: expect.objectContaining({
        origin: expect.objectContaining({ method: 'POST', route: '/v1/sentry-test/bug' }),
      }),
      exception: { values: [expect.objectContaining({ value: 'the ledger exploded' })] },
    });
    const raw = sentry.requests.map((request) => request.body).join('\n');
    for (const secret of [...SECRETS, user.accessToken, user.email]) {
      expect(raw).not.toContain(secret);
    }
  });

  it("sends one event for a job's final failed attempt, none for the retried one", async () => {
    const id = randomUUID();
    const response = await api.request('POST', '/v1/sentry-test/jobs', {
      body: { id, documentNumber: 'P12345678' },
      headers: { 'x-request-id': `jobs-${id}` },
    });
    const enqueuing = api.logs.lines.find((line) => line.requestId === `jobs-${id}`);
    expect(response.status).toBe(201);

    const jobEvents = async () => {
      await flushErrorReports();

      return events().filter((event) => event.tags?.queue === QUEUE);
    };
    for (let waited = 0; (await jobEvents()).length === 0 && waited < 10_000; waited += 50) {
      await sleep(50);
    }
    await sleep(500); // A second (wrong) event would have arrived by now.
    const sent = await jobEvents();
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      // The job continued the trace of the request that enqueued it.
      tags: { queue: QUEUE, trace_id: enqueuing!.traceId },
      contexts: expect.objectContaining({
        origin: expect.objectContaining({ jobName: FAILING, jobId: `doomed:${id}`, attempts: 2 }),
      }),
      exception: { values: [expect.objectContaining({ value: 'the provider refused' })] },
    });
    const raw = sentry.requests.map((request) => request.body).join('\n');
    expect(raw).not.toContain('P12345678');
  });
});
