import { Injectable } from '@nestjs/common';
import type { ReadinessCheck } from '../observability/health.checks';
import { QueueRegistry } from './queue.registry';

/** Readiness of the worker: every queue's own Redis connection answers. */
@Injectable()
export class QueuesCheck implements ReadinessCheck {
  readonly name = 'queues';

  constructor(private readonly queues: QueueRegistry) {}

  async check(): Promise<void> {
    const queues = this.queues.all();
    const results = await Promise.allSettled(queues.map((queue) => queue.client.ping()));
    const down = queues.filter((_, i) => results[i]!.status === 'rejected');
    if (down.length > 0) {
      throw new Error(`Redis of queue(s) ${down.map((q) => q.name).join(', ')} unreachable`);
    }
  }
}
