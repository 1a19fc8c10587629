/** The notifications queue: one job per notification and channel the worker sends through. */
export const NOTIFICATIONS_QUEUE = 'notifications';

export const NotificationsJob = {
  SendEmail: 'notifications.send-email',
  SendPush: 'notifications.send-push',
  SendSms: 'notifications.send-sms',
  /** Publishes a new in-app notification to the api nodes, which emit it to the user's sockets. */
  PublishLive: 'notifications.publish-live',
} as const;

/** Written with the notification, job id `notifications-<channel>:<notificationId>`. */
export interface SendJob {
  notificationId: string;
}

/** The job id of a notification's channel: the outbox collapses a second one. */
export const sendJobId = (channel: string, notificationId: string): string =>
  `notifications-${channel}:${notificationId}`;
