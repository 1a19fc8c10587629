import { BullModule } from '@nestjs/bull';
import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { APP_CONFIG } from '../config/config.module';
import { OutboxRelay } from './outbox.relay';
import { OutboxRepository } from './outbox.repository';
import { OutboxService } from './outbox.service';
import { QueueMetrics } from './queue.metrics';
import { QueueOverview } from './queue-overview';
import { bullRootOptions } from './queue.options';
import { QueueRegistry } from './queue.registry';

/**
 * Bull's root configuration (REDIS_URL, keys under `${REDIS_KEY_PREFIX}:bull`, retry defaults)
 * and the outbox. Any process that enqueues imports it; queues are registered where their
 * processors live (`BullModule.registerQueue`).
 */
@Global()
@Module({
  imports: [
    BullModule.forRootAsync({ inject: [APP_CONFIG], useFactory: bullRootOptions }),
    DiscoveryModule,
  ],
  providers: [OutboxRepository, OutboxService, QueueRegistry, QueueOverview],
  exports: [OutboxRepository, OutboxService, QueueRegistry, QueueOverview],
})
export class QueueModule {}

/** The outbox relay and its metrics: imported by the worker only (needs QueueModule). */
@Module({ providers: [OutboxRelay, QueueMetrics] })
export class OutboxRelayModule {}
