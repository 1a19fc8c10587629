import { Injectable, Logger } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { Database } from '../database/database';
import { MetricsService } from '../observability/metrics.service';
import { OutboxRepository } from './outbox.repository';
import { oldestWaitingSeconds } from './queue-overview';
import { QueueRegistry } from './queue.registry';

const JOB_STATES = ['waiting', 'active', 'delayed', 'completed', 'failed'] as const;

/** Outbox and queue metrics of the worker; gauges are read from Postgres and Redis on scrape. */
@Injectable()
export class QueueMetrics {
  readonly relayed: Counter<'queue'>;
  readonly reenqueued: Counter<'queue'>;

  constructor(
    metrics: MetricsService,
    db: Database,
    outbox: OutboxRepository,
    queues: QueueRegistry,
  ) {
    const registers = [metrics.registry];
    const logger = new Logger('QueueMetrics');
    this.relayed = new Counter({
      name: 'outbox_relayed_total',
      help: 'Outbox rows handed to Bull by the relay.',
      labelNames: ['queue'],
      registers,
    });
    this.reenqueued = new Counter({
      name: 'outbox_reenqueued_total',
      help: 'Outbox jobs added to Bull again because Redis no longer had them.',
      labelNames: ['queue'],
      registers,
    });
    // A failing read keeps the last value: one slow dependency must not fail the whole scrape.
    new Gauge({
      name: 'outbox_pending_rows',
      help: 'Committed outbox rows not yet handed to Bull.',
      registers,
      async collect() {
        try {
          this.set(await outbox.countUnsent(db.manager));
        } catch (error) {
          logger.warn({ msg: 'outbox_pending_rows not collected', err: error });
        }
      },
    });
    new Gauge({
      name: 'outbox_oldest_pending_seconds',
      help: 'Age of the oldest committed outbox row not yet handed to Bull: the relay lag.',
      registers,
      async collect() {
        try {
          this.set(await outbox.oldestUnsentSeconds(db.manager));
        } catch (error) {
          logger.warn({ msg: 'outbox_oldest_pending_seconds not collected', err: error });
        }
      },
    });
    new Gauge({
      name: 'queue_oldest_waiting_seconds',
      help: 'Age of the oldest waiting job in each Bull queue (0 when none waits).',
      labelNames: ['queue'],
      registers,
      async collect() {
        await Promise.all(
          queues.all().map(async (queue) => {
            try {
              this.set({ queue: queue.name }, (await oldestWaitingSeconds(queue)) ?? 0);
            } catch (error) {
              logger.warn({ msg: 'queue_oldest_waiting_seconds not collected', err: error });
            }
          }),
        );
      },
    });
    new Gauge({
      name: 'queue_jobs',
      help: 'Jobs in each Bull queue by state.',
      labelNames: ['queue', 'state'],
      registers,
      async collect() {
        await Promise.all(
          queues.all().map(async (queue) => {
            try {
              const counts = await queue.getJobCounts();
              for (const state of JOB_STATES) {
                this.set({ queue: queue.name, state }, counts[state]);
              }
            } catch (error) {
              logger.warn({ msg: 'queue_jobs not collected', queue: queue.name, err: error });
            }
          }),
        );
      },
    });
  }
}
