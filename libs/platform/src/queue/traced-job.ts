import type { Job } from 'bull';
import { reportError } from '../telemetry/error-reporting';
import { inSpan, JOB_TRACE_KEY, SpanKind, type TraceCarrier } from '../telemetry/trace-context';

// Handlers are also called directly with just the job's data (tests, one-off runs): what Bull
// adds (queue, attempts, options) may be missing.
type RunnableJob = Pick<Job, 'data' | 'name' | 'id'> &
  Partial<Pick<Job, 'queue' | 'opts'>> & {
    attemptsMade?: number;
  };

/** True when Bull will not retry this run if it fails (no attempts left). */
const isFinalAttempt = (job: RunnableJob): boolean =>
  (job.attemptsMade ?? 0) + 1 >= (job.opts?.attempts ?? 1);

/**
 * Runs a job in a consumer span continuing the trace that enqueued it (the `traceContext` the
 * outbox relay put in the job's data; Bull 4 has no instrumentation of its own), so the job's
 * queries and provider calls join the request's trace. A failure of the final attempt is
 * reported to error tracking; earlier ones are retried and only logged.
 */
export function runTracedJob<T>(job: RunnableJob, work: () => Promise<T>): Promise<T> {
  const data = job.data as Record<string, unknown> | undefined;
  const carrier = (data?.[JOB_TRACE_KEY] ?? null) as TraceCarrier | null;
  const queue = job.queue?.name ?? 'direct';
  const attempt = (job.attemptsMade ?? 0) + 1;

  return inSpan(
    `${queue} ${job.name}`,
    {
      kind: SpanKind.CONSUMER,
      carrier,
      attributes: {
        'messaging.system': 'bull',
        'messaging.destination.name': queue,
        'messaging.operation.name': job.name,
        'messaging.message.id': String(job.id),
        'bull.attempt': attempt,
      },
    },
    async () => {
      try {
        return await work();
      } catch (error) {
        if (isFinalAttempt(job)) {
          reportError(error, {
            queue,
            jobName: job.name,
            jobId: String(job.id),
            attempts: attempt,
          });
        }
        throw error;
      }
    },
  );
}

/**
 * `@TracedJob()` on a `@Process` handler: runs it through runTracedJob. Nest's metadata on the
 * handler is copied to the wrapper, so the decorators may come in either order.
 */
export function TracedJob(): MethodDecorator {
  return (target, key, descriptor: PropertyDescriptor) => {
    const handle = descriptor.value as (this: unknown, job?: Job, ...rest: unknown[]) => unknown;
    // A handler that reads nothing of its job may be called with none (tests, one-off runs).
    const direct = { name: `${target.constructor.name}.${String(key)}`, id: 'direct', data: {} };
    const traced = function (this: unknown, job?: Job, ...rest: unknown[]): Promise<unknown> {
      return runTracedJob(job ?? direct, async () => handle.call(this, job, ...rest));
    };
    for (const key of Reflect.getMetadataKeys(handle)) {
      Reflect.defineMetadata(key, Reflect.getMetadata(key, handle), traced);
    }
    Object.defineProperty(traced, 'name', { value: handle.name });
    descriptor.value = traced;
  };
}
