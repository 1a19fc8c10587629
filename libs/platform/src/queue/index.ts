export type { OutboxJob } from './outbox.repository';
export { OutboxService } from './outbox.service';
export {
  PLATFORM_QUEUE,
  PlatformJob,
  type PurgeIdempotencyKeysJob,
  type SendAccountEmailJob,
} from './platform.jobs';
export { OutboxRelayModule, QueueModule } from './queue.module';
export { QueueRegistry } from './queue.registry';
export { QueuesCheck } from './queues.check';
export {
  bucketStart,
  PeriodicJobScheduler,
  type PeriodicJob,
  type PeriodicJobPayload,
} from './periodic-jobs';
export { runTracedJob, TracedJob } from './traced-job';
export { QueueCountsDto, QueueListDto, QueueOverview, QueueSummaryDto } from './queue-overview';
