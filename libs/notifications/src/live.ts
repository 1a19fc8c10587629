/** The authenticated Socket.IO namespace new in-app notifications arrive on, live. */
export const NOTIFICATIONS_NAMESPACE = '/notifications';

/** Server-to-client event: a new notification (a NotificationDto) for the connected user. */
export const NOTIFICATION_EVENT = 'notification';
