export { NOTIFICATIONS_CONFIG, type NotificationsAppConfig } from './notifications.config';
export { NotificationsModule } from './notifications.module';
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
