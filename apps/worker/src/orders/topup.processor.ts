import {
  CatalogueService,
  OrderSteps,
  TOPUP_QUEUE,
  TopupJob,
  type CallbackJob,
  type OrderStepJob,
  type OrdersAppConfig,
  type PeriodicTopupJob,
} from '@bourse/orders';
import { APP_CONFIG, TracedJob } from '@bourse/platform';
import { InjectQueue } from '@nestjs/bull';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { Job, Queue } from 'bull';

/**
 * Runs the steps of top-up orders, TOPUP_CONCURRENCY at once per worker (they mostly wait on
 * the aggregator), plus the sweeper and the catalogue refresh.
 */
@Injectable()
export class TopupProcessor implements OnModuleInit {
  constructor(
    @InjectQueue(TOPUP_QUEUE) private readonly queue: Queue,
    @Inject(APP_CONFIG) private readonly config: OrdersAppConfig,
    private readonly steps: OrderSteps,
    private readonly catalogue: CatalogueService,
  ) {}

  onModuleInit(): void {
    // One process() with '*' shares the concurrency between every job name.
    void this.queue.process('*', this.config.orders.concurrency, (job: Job) => this.run(job));
  }

  @TracedJob()
  async run(job: Job): Promise<unknown> {
    switch (job.name) {
      case TopupJob.AwaitPayment:
        return this.steps.awaitPayment(job.data as OrderStepJob);
      case TopupJob.Submit:
        return this.steps.submit(job.data as OrderStepJob);
      case TopupJob.Poll:
        return this.steps.poll(job.data as OrderStepJob);
      case TopupJob.Refund:
        return this.steps.refund(job.data as OrderStepJob);
      case TopupJob.Callback: {
        const { orderId, transactionId } = job.data as CallbackJob;

        return this.steps.applyCallback(orderId, transactionId);
      }
      case TopupJob.Sweep:
        return this.steps.sweep((job.data as PeriodicTopupJob).bucket);
      case TopupJob.RefreshCatalogue:
        return this.catalogue.refresh();
      default:
        throw new Error(`Unknown top-up job ${job.name}`);
    }
  }
}
