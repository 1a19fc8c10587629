import {
  Database,
  OutboxService,
  Public,
  rows,
  startTelemetry,
  TracedJob,
  type Telemetry,
} from '@bourse/platform';
import { BullModule, Process, Processor } from '@nestjs/bull';
import {
  Body,
  Controller,
  HttpCode,
  Logger,
  Module,
  Post,
  type DynamicModule,
} from '@nestjs/common';
import type { Job } from 'bull';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { startApi, testConfig, type TestServer } from '../setup/apps';
import { HttpRecorder, otlpSpans, type OtlpSpan } from '../setup/receivers';
import { io as connect } from 'socket.io-client';
import { startWorker } from '../setup/worker';

const QUEUE = `trace-${randomUUID().slice(0, 8)}`;
const CALL_PROVIDER = 'test.call-provider';
const SPAN_KIND = { SERVER: 2, CLIENT: 3, CONSUMER: 5 };

interface CallProviderJob {
  orderId: string;
  providerUrl: string;
}

/** What a business route does: a state change and its job, in one transaction, via the outbox. */
function orderRoute(providerUrl: string): DynamicModule {
  @Controller('v1/trace-test')
  class OrdersController {
    constructor(
      private readonly db: Database,
      private readonly outbox: OutboxService,
    ) {}

    @Public()
    @Post('orders')
    @HttpCode(202)
    async place(@Body() body: { orderId: string }): Promise<{ queued: boolean }> {
      const queued = await this.db.transaction(undefined, (tx) =>
        this.outbox.enqueue<CallProviderJob>(tx, {
          queue: QUEUE,
          name: CALL_PROVIDER,
          jobId: `order:${body.orderId}`,
          payload: { orderId: body.orderId, providerUrl },
        }),
      );

      return { queued };
    }
  }

  @Module({ controllers: [OrdersController] })
  class OrdersModule {}

  return { module: OrdersModule };
}

/** What a provider-facing processor does: an outgoing HTTP call per job. */
function providerCaller(): DynamicModule {
  @Processor(QUEUE)
  class ProviderCaller {
    private readonly logger = new Logger('ProviderCaller');

    @Process(CALL_PROVIDER)
    @TracedJob()
    async handle(job: Job<CallProviderJob>): Promise<void> {
      this.logger.log({ msg: 'calling the provider', orderId: job.data.orderId });
      const response = await fetch(`${job.data.providerUrl}/payments?key=secret-key`);
      if (!response.ok) {
        throw new Error(`provider answered ${response.status}`);
      }
    }
  }

  @Module({})
  class ProviderCallerModule {}

  return {
    module: ProviderCallerModule,
    imports: [BullModule.registerQueue({ name: QUEUE })],
    providers: [ProviderCaller],
  };
}

async function eventually<T>(probe: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await sleep(25)) {
    const value = probe();
    if (value !== undefined) {
      return value;
    }
  }
  throw new Error(`nothing within ${timeoutMs} ms`);
}

describe('tracing: request → outbox → job → provider call', () => {
  let collector: HttpRecorder;
  let provider: HttpRecorder;
  let telemetry: Telemetry;
  let api: TestServer;
  let worker: TestServer;

  beforeAll(async () => {
    collector = await HttpRecorder.start();
    provider = await HttpRecorder.start();
    telemetry = await startTelemetry(
      'bourse-test',
      testConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: collector.url }),
    );
    api = await startApi({}, [orderRoute(provider.url)]);
    // Its own Redis prefix (queues of other spec files' workers are not ours), a quick relay.
    worker = await startWorker(
      {
        REDIS_KEY_PREFIX: `${process.env.REDIS_KEY_PREFIX}-trace`,
        OUTBOX_RELAY_INTERVAL_MS: '20',
        OUTBOX_RECONCILE_AFTER_MS: '200',
      },
      [providerCaller()],
    );
  });

  afterAll(async () => {
    await worker?.close();
    await api?.close();
    await telemetry?.shutdown();
    await provider?.close();
    await collector?.close();
  });

  it('shows as one trace in the collector, with the ids in the logs and the outbox row', async () => {
    const orderId = randomUUID();
    const placed = await api.request('POST', '/v1/trace-test/orders', {
      body: { orderId },
      headers: { 'x-request-id': `trace-test-${orderId}` },
    });
    expect(placed.status).toBe(202);

    const call = await eventually(() => provider.requests.find((r) => r.url.startsWith('/pay')));
    const [row] = await rows<{ trace_context: Record<string, string> }>(
      api.app.get(Database).manager,
      `SELECT trace_context FROM outbox WHERE job_id = $1`,
      [`order:${orderId}`],
    );
    // Closing waits for the running job; then the buffered spans are exported.
    await worker.close();
    await api.close();
    await telemetry.flush();
    const spans = otlpSpans(collector);

    const request = spans.find(
      (span) =>
        span.kind === SPAN_KIND.SERVER && span.attributes['http.route'] === '/v1/trace-test/orders',
    );
    expect(request).toBeDefined();
    const traceId = request!.traceId;
    const job = spans.find((span) => span.name === `${QUEUE} ${CALL_PROVIDER}`);
    expect(job).toMatchObject({
      traceId,
      kind: SPAN_KIND.CONSUMER,
      attributes: expect.objectContaining({
        'messaging.destination.name': QUEUE,
        'messaging.message.id': `order:${orderId}`,
      }),
    });
    const outgoing = spans.find(
      (span) => span.kind === SPAN_KIND.CLIENT && span.parentSpanId === job!.spanId,
    );
    expect(outgoing).toMatchObject({
      traceId,
      attributes: expect.objectContaining({
        'http.request.method': 'GET',
        'http.response.status_code': 200,
        // The query string (an API key here) stays out of spans.
        'url.full': `${provider.url}/payments`,
      }),
    });
    // The job's parent is a span of the request's trace: the enqueuing handler's context.
    const ofTrace = new Set(spans.filter((span) => span.traceId === traceId).map((s) => s.spanId));
    expect(ofTrace.has(job!.parentSpanId!)).toBe(true);

    // The provider was told the trace too (W3C traceparent of the client span).
    expect(call.headers.traceparent).toBe(`00-${traceId}-${outgoing!.spanId}-01`);

    // The row kept the enqueuing context; the request's and the job's log lines carry the ids.
    expect(row!.trace_context.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    const accessLine = api.logs.lines.find(
      (line) => line.msg === 'request completed' && line.requestId === `trace-test-${orderId}`,
    );
    expect(accessLine).toMatchObject({ traceId, spanId: request!.spanId });
    const jobLine = worker.logs.lines.find((line) => line.msg === 'calling the provider');
    expect(jobLine).toMatchObject({ traceId, spanId: job!.spanId, orderId });
    expect(spans.every((span: OtlpSpan) => span.service === 'bourse-test')).toBe(true);
  });

  it('traces the Socket.IO events a gateway handles', async () => {
    const socketApi = await startApi();
    const client = connect(`${socketApi.url}/prices`, {
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    try {
      await new Promise<void>((resolve, reject) => {
        client.once('connect', resolve);
        client.once('connect_error', reject);
      });
      await client.emitWithAck('subscribe', { symbols: ['XAUUSD'] });
    } finally {
      client.close();
      await socketApi.close();
    }
    await telemetry.flush();

    expect(otlpSpans(collector)).toContainEqual(
      expect.objectContaining({
        name: 'socket /prices subscribe',
        kind: SPAN_KIND.SERVER,
        attributes: expect.objectContaining({ 'messaging.system': 'socket.io' }),
      }),
    );
  });
});
