import type { JsonSchemaOf, NamespaceDoc } from '@bourse/platform';
import type { NotificationDto } from './dto/notification.dto';
import { NOTIFICATION_EVENT, NOTIFICATIONS_NAMESPACE } from './live';

// Checked against NotificationDto (JsonSchemaOf): a field added to the DTO fails to compile here.
const notification = {
  title: 'Notification',
  type: 'object',
  properties: {
    id: { type: 'string', description: 'The notification, as in `GET /v1/notifications`.' },
    type: {
      type: 'string',
      examples: ['orders.filled'],
      description: 'What it is about, `<lib>.<event>`.',
    },
    title: { type: 'string', description: 'Short headline.' },
    body: { type: 'string', description: 'The message.' },
    data: {
      type: 'object',
      additionalProperties: true,
      description: 'What the sending lib attached (ids to link to).',
    },
    createdAt: { type: 'string', format: 'date-time', description: 'When it was sent.' },
    readAt: {
      type: 'string',
      format: 'date-time',
      description: 'When the user first read it; absent while unread (always, when live).',
    },
  },
  required: ['id', 'type', 'title', 'body', 'data', 'createdAt'],
} as const satisfies JsonSchemaOf<NotificationDto>;

/** The `/notifications` namespace for the AsyncAPI document. */
export const NOTIFICATIONS_ASYNCAPI: NamespaceDoc = {
  key: 'notifications',
  address: NOTIFICATIONS_NAMESPACE,
  description:
    'New in-app notifications of the signed-in user, live (at most once: the inbox over REST ' +
    'is the record after a reconnect). `auth: {token}` (a user access token) is required: ' +
    'without it the handshake is refused with `connect_error` `auth.unauthenticated`; an API ' +
    'key is disconnected. No client events. Contract: libs/notifications live.ts.',
  clientEvents: {},
  serverEvents: {
    [NOTIFICATION_EVENT]: {
      summary: 'A new notification for the connected user.',
      payload: notification,
    },
  } satisfies Record<typeof NOTIFICATION_EVENT, { summary: string; payload: object }>,
};
