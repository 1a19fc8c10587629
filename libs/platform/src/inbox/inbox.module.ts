import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { InboxHandlers } from './inbox.handlers';
import { InboxLagMetric, InboxMetrics } from './inbox.metrics';
import { InboxRepository } from './inbox.repository';
import { InboxProcessing, InboxService } from './inbox.service';
import { WebhookSignatureGuard } from './webhook.decorators';

/**
 * Receiving provider events (needs QueueModule): global, so a lib's webhook controller injects
 * InboxService and uses `@Webhook()` without importing it.
 */
@Global()
@Module({
  providers: [InboxRepository, InboxService, InboxMetrics, WebhookSignatureGuard],
  exports: [InboxRepository, InboxService, InboxMetrics, WebhookSignatureGuard],
})
export class InboxModule {}

/** Processing them: the handler registry and the lag gauge (worker only; needs InboxModule). */
@Module({
  imports: [DiscoveryModule],
  providers: [InboxHandlers, InboxProcessing, InboxLagMetric],
  exports: [InboxProcessing],
})
export class InboxWorkerModule {}
