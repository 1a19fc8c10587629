import { Database, MetricsService } from '@bourse/platform';
import { Injectable, Logger } from '@nestjs/common';
import { Counter, Gauge, Histogram } from 'prom-client';
import { ORDER_STATES } from './order-states';
import { OrdersRepository } from './orders.repository';

/**
 * The top-up SLA: `bourse_topup_delivery_seconds` (payment confirmed → delivered, observed by
 * the worker that delivers) which the chart's BourseTopupSlaBreach alert reads, and failures by
 * reason.
 */
@Injectable()
export class OrdersMetrics {
  private readonly delivery: Histogram;
  private readonly failures: Counter<'reason'>;

  constructor(metrics: MetricsService) {
    const registers = [metrics.registry];
    this.delivery = new Histogram({
      name: 'bourse_topup_delivery_seconds',
      help: 'From the payment confirmed (the order paid) to the top-up delivered.',
      buckets: [0.25, 0.5, 1, 2, 3, 5, 10, 30, 60, 300],
      registers,
    });
    this.failures = new Counter({
      name: 'bourse_topup_failures_total',
      help: 'Top-up orders failed (and refunded), by reason.',
      labelNames: ['reason'],
      registers,
    });
  }

  delivered(ms: number): void {
    this.delivery.observe(ms / 1000);
  }

  failed(reason: string): void {
    this.failures.inc({ reason });
  }
}

/** Orders by state, counted in Postgres at scrape time on the worker (exact across replicas). */
@Injectable()
export class OrdersStateMetrics {
  constructor(metrics: MetricsService, db: Database, repository: OrdersRepository) {
    const logger = new Logger('OrdersStateMetrics');
    new Gauge({
      name: 'bourse_topup_orders',
      help: 'Top-up orders by state.',
      labelNames: ['state'],
      registers: [metrics.registry],
      async collect() {
        try {
          const counts = new Map(
            (await repository.countByState(db.manager)).map((r) => [r.state, r.count]),
          );
          ORDER_STATES.forEach((state) => this.set({ state }, counts.get(state) ?? 0));
        } catch (error) {
          logger.warn({ msg: 'bourse_topup_orders not collected', err: error });
        }
      },
    });
  }
}
