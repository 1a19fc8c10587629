export {
  NOTIFICATIONS_CONFIG,
  ONESIGNAL_SIMULATOR_KEY,
  TWILIO_SIMULATOR_ACCOUNT_SID,
  TWILIO_SIMULATOR_AUTH_TOKEN,
  type NotificationsAppConfig,
} from './notifications.config';
export { PushNotDeliveredError } from './push-sender';
export { SmsSender, type SentSms } from './sms/sms-sender';
export {
  TWILIO_PROVIDER,
  TwilioSignature,
  TwilioStatusDto,
  twilioEventId,
} from './sms/twilio.webhook';
export { Mailer } from './mailer';
export { NOTIFICATION_EVENT, NOTIFICATIONS_NAMESPACE } from './live';
export { NotificationsModule, NotificationsWorkerModule } from './notifications.module';
export { NotificationsService, type SendOutcome } from './notifications.service';
export {
  DEFAULT_TEMPLATE,
  EmailTemplates,
  escapeHtml,
  type EmailTemplate,
  type RenderedEmail,
} from './email-templates';
export {
  CHANNELS,
  DEFAULT_PREFERENCES,
  NOTIFICATION_TYPE_PATTERN,
  type Channel,
  type Notification,
  type NotifyInput,
  type Preferences,
} from './notifications.types';
export {
  DuplicateTemplateError,
  InvalidNotificationError,
  NotificationNotFoundError,
  PhoneRequiredError,
} from './notifications.errors';
export {
  NOTIFICATIONS_QUEUE,
  NotificationsJob,
  sendJobId,
  type SendJob,
} from './notifications.jobs';
export {
  MarkAllReadDto,
  NotificationDto,
  NotificationPageDto,
  NotificationQueryDto,
  PreferencesDto,
} from './dto/notification.dto';
export { WebhooksService, type DeliverOutcome } from './webhooks/webhooks.service';
export {
  WEBHOOKS_QUEUE,
  WebhooksJob,
  deliverJobId,
  type DeliverJob,
} from './webhooks/webhooks.jobs';
export { newWebhookSecret, signedHeaders } from './webhooks/webhook-signature';
export { RETRY_DELAYS_MS, webhookId } from './webhooks/webhook.types';
export { InvalidWindowError, WebhookNotFoundError } from './webhooks/webhooks.errors';
export {
  CreatedWebhookEndpointDto,
  CreateWebhookEndpointDto,
  DeliveryPageDto,
  DeliveryQueryDto,
  ReplayDto,
  ReplayResultDto,
  UpdateWebhookEndpointDto,
  WebhookAttemptDto,
  WebhookDeliveryDto,
  WebhookEndpointDto,
  WebhookSecretDto,
} from './dto/webhook.dto';
export { NOTIFICATIONS_ASYNCAPI } from './notifications.asyncapi';
