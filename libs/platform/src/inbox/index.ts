export { InboxModule, InboxWorkerModule } from './inbox.module';
export {
  InboxProcessing,
  InboxService,
  type ReceivedEvent,
  type ReceiveResult,
} from './inbox.service';
export { InboxHandler, type InboxEventHandler } from './inbox.handlers';
export type { InboxEvent } from './inbox.repository';
export { InvalidWebhookSignatureError } from './inbox.errors';
export {
  INBOX_QUEUE,
  INBOX_SWEEP_INTERVAL_SECONDS,
  InboxJob,
  type ProcessInboxEventJob,
} from './inbox.jobs';
export {
  Webhook,
  WEBHOOK_ROUTE,
  WebhookPayload,
  type WebhookRouteOptions,
  type WebhookVerifier,
} from './webhook.decorators';
export { hmacSha256Matches } from './webhook-signature';
