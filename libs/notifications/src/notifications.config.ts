import { configSection, str, url, type AppConfig, type SectionConfig } from '@bourse/platform';

/** Notifications' variables and settings (`config.notifications`), composed by the apps. */
export const NOTIFICATIONS_CONFIG = configSection({
  key: 'notifications',
  vars: {
    NOTIFICATIONS_SMTP_URL: url(['smtp:', 'smtps:'], {
      default: 'smtp://127.0.0.1:3226',
      secret: true,
      description:
        'SMTP relay e-mail notifications are sent through (`smtps://user:pass@host:465` for a provider; credentials in the URL). The default is the capture server `npm start` runs.',
    }),
    NOTIFICATIONS_EMAIL_FROM: str({
      default: 'Bourse <no-reply@bourse.local>',
      description: 'From address of e-mail notifications.',
    }),
  },
  read: (v) => ({ smtpUrl: v.NOTIFICATIONS_SMTP_URL, emailFrom: v.NOTIFICATIONS_EMAIL_FROM }),
});

/** The config notifications' services inject (APP_CONFIG): the platform's and `notifications`. */
export type NotificationsAppConfig = AppConfig & SectionConfig<typeof NOTIFICATIONS_CONFIG>;
