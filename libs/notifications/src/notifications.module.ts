import { requireConfigSection } from '@bourse/platform';
import { Module, type DynamicModule } from '@nestjs/common';
import { EmailTemplates, type EmailTemplate } from './email-templates';
import { Mailer } from './mailer';
import { NotificationRepository } from './notification.repository';
import { NOTIFICATIONS_CONFIG } from './notifications.config';
import { NotificationsMetrics } from './notifications.metrics';
import { NotificationsService } from './notifications.service';
import { PushSender } from './push-sender';
import { SmsSender } from './sms/sms-sender';
import { SmsRepository } from './sms/sms.repository';
import { TwilioSignature, TwilioStatusHandler } from './sms/twilio.webhook';
import { WebhookSender } from './webhooks/webhook-sender';
import { WebhookBacklogMetrics, WebhookMetrics } from './webhooks/webhook.metrics';
import { WebhookRepository } from './webhooks/webhook.repository';
import { WebhooksService } from './webhooks/webhooks.service';

/**
 * Notifications to users (the inbox, preferences and the channels' senders) and webhooks to
 * partners' systems. Needs what the
 * platform provides globally (Database, APP_CONFIG composing NOTIFICATIONS_CONFIG, the outbox,
 * metrics). Libs register their e-mail templates with `NotificationsModule.forTemplates`.
 */
@Module({
  providers: [
    requireConfigSection(NOTIFICATIONS_CONFIG),
    NotificationsService,
    NotificationRepository,
    EmailTemplates,
    Mailer,
    PushSender,
    SmsSender,
    SmsRepository,
    TwilioSignature,
    NotificationsMetrics,
    WebhooksService,
    WebhookRepository,
    WebhookSender,
    WebhookMetrics,
  ],
  exports: [NotificationsService, EmailTemplates, WebhooksService, Mailer],
})
export class NotificationsModule {
  /**
   * Registers a lib's e-mail templates, e.g. in OrdersModule's imports:
   * `NotificationsModule.forTemplates([{ type: 'orders.filled', name: 'orders.filled', render }])`.
   * A type templated twice fails the boot.
   */
  static forTemplates(templates: EmailTemplate[]): DynamicModule {
    // A class per call, so Nest keeps each lib's declaration as a module of its own.
    class NotificationTemplatesModule {}

    return {
      module: NotificationTemplatesModule,
      imports: [NotificationsModule],
      providers: [
        {
          provide: `notifications.templates:${templates.map((t) => t.type).join(',')}`,
          inject: [EmailTemplates],
          useFactory: (registry: EmailTemplates) => templates.forEach((t) => registry.register(t)),
        },
      ],
      exports: [NotificationsModule],
    };
  }
}

/**
 * The worker's part: NotificationsModule, the webhook backlog gauge and the handler of Twilio's
 * status callbacks (worker pods only).
 */
@Module({
  imports: [NotificationsModule],
  providers: [WebhookBacklogMetrics, WebhookRepository, TwilioStatusHandler, SmsRepository],
  exports: [NotificationsModule],
})
export class NotificationsWorkerModule {}
