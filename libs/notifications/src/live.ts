/** The authenticated Socket.IO namespace new in-app notifications arrive on, live. */
export const NOTIFICATIONS_NAMESPACE = '/notifications';

/** Server-to-client event: a new notification (a NotificationDto) for the connected user. */
export const NOTIFICATION_EVENT = 'notification';

/** The pub/sub channel the worker publishes new in-app notifications on (ioredis does not prefix channels). */
export const liveChannel = (redisPrefix: string): string => `${redisPrefix}:notifications:live`;

/** What travels on the channel: the user to reach and what to send them. */
export interface LiveMessage {
  userId: string;
  notification: Record<string, unknown>;
}
