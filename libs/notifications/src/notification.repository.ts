import { rows, type Tx } from '@bourse/platform';
import { Injectable } from '@nestjs/common';
import type { Channel, Notification, Preferences, SentChannel } from './notifications.types';

interface NotificationRow {
  id: string;
  user_id: string;
  type: string;
  title: string;
  body: string;
  data: Record<string, unknown>;
  channels: Channel[];
  created_at: Date;
  read_at: Date | null;
}

const toNotification = (row: NotificationRow): Notification => ({
  id: row.id,
  userId: row.user_id,
  type: row.type,
  title: row.title,
  body: row.body,
  data: row.data,
  channels: row.channels,
  createdAt: row.created_at,
  readAt: row.read_at ?? undefined,
});

// The inbox: a user's notifications that chose the in-app channel.
const INBOX = `user_id = $1 AND 'in_app' = ANY (channels)`;

@Injectable()
export class NotificationRepository {
  async insert(tx: Tx, n: Omit<Notification, 'createdAt' | 'readAt'>): Promise<Notification> {
    const [row] = await rows<NotificationRow>(
      tx,
      `INSERT INTO notifications (id, user_id, type, title, body, data, channels)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::text[])
       RETURNING *`,
      [n.id, n.userId, n.type, n.title, n.body, JSON.stringify(n.data), n.channels],
    );

    return toNotification(row!);
  }

  async find(tx: Tx, id: string): Promise<Notification | undefined> {
    const [row] = await rows<NotificationRow>(tx, `SELECT * FROM notifications WHERE id = $1`, [
      id,
    ]);

    return row && toNotification(row);
  }

  /** Newest first, after `cursor` (the previous page's last id); one more than `limit`. */
  async inbox(
    tx: Tx,
    userId: string,
    page: { cursor?: string; limit: number; unreadOnly: boolean },
  ): Promise<Notification[]> {
    const found = await rows<NotificationRow>(
      tx,
      `SELECT * FROM notifications
        WHERE ${INBOX} AND ($2::uuid IS NULL OR id < $2) AND (NOT $3 OR read_at IS NULL)
        ORDER BY id DESC
        LIMIT $4`,
      [userId, page.cursor ?? null, page.unreadOnly, page.limit + 1],
    );

    return found.map(toNotification);
  }

  async unreadCount(tx: Tx, userId: string): Promise<number> {
    const [row] = await rows<{ count: number }>(
      tx,
      `SELECT count(*)::int AS count FROM notifications WHERE ${INBOX} AND read_at IS NULL`,
      [userId],
    );

    return row!.count;
  }

  /** The notification once read (its first read time kept); undefined if not in the inbox. */
  async markRead(tx: Tx, userId: string, id: string): Promise<Notification | undefined> {
    const [row] = await rows<NotificationRow>(
      tx,
      `UPDATE notifications SET read_at = coalesce(read_at, now())
        WHERE ${INBOX} AND id = $2
        RETURNING *`,
      [userId, id],
    );

    return row && toNotification(row);
  }

  /** Marks every unread notification read; returns how many. */
  async markAllRead(tx: Tx, userId: string): Promise<number> {
    const updated = await rows<{ id: string }>(
      tx,
      `UPDATE notifications SET read_at = now() WHERE ${INBOX} AND read_at IS NULL RETURNING id`,
      [userId],
    );

    return updated.length;
  }

  async preferences(tx: Tx, userId: string): Promise<Preferences | undefined> {
    const [row] = await rows<Omit<Preferences, 'phone'> & { phone: string | null }>(
      tx,
      `SELECT in_app, email, push, sms, phone FROM notification_preferences WHERE user_id = $1`,
      [userId],
    );
    if (!row) {
      return undefined;
    }
    const { phone, ...channels } = row;

    return phone === null ? channels : { ...channels, phone };
  }

  async savePreferences(tx: Tx, userId: string, prefs: Preferences): Promise<void> {
    await rows(
      tx,
      `INSERT INTO notification_preferences (user_id, in_app, email, push, sms, phone)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (user_id) DO UPDATE
         SET in_app = EXCLUDED.in_app, email = EXCLUDED.email, push = EXCLUDED.push,
             sms = EXCLUDED.sms, phone = EXCLUDED.phone, updated_at = now()`,
      [userId, prefs.in_app, prefs.email, prefs.push, prefs.sms, prefs.phone ?? null],
    );
  }

  async emailOf(tx: Tx, userId: string): Promise<string | undefined> {
    const [row] = await rows<{ email: string }>(tx, `SELECT email FROM users WHERE id = $1`, [
      userId,
    ]);

    return row?.email;
  }

  /** Whether the channel already went out; locks the notification so one job sends at a time. */
  async lockUnsent(tx: Tx, id: string, channel: SentChannel): Promise<Notification | undefined> {
    const [row] = await rows<NotificationRow>(
      tx,
      `SELECT n.* FROM notifications n
        WHERE n.id = $1
          AND NOT EXISTS (SELECT 1 FROM notification_deliveries d
                           WHERE d.notification_id = n.id AND d.channel = $2 AND d.state = 'sent')
        FOR UPDATE`,
      [id, channel],
    );

    return row && toNotification(row);
  }

  /** A failure recorded after another run sent it does not undo the `sent`. */
  async recordDelivery(
    tx: Tx,
    id: string,
    channel: SentChannel,
    outcome: { state: 'sent' } | { state: 'failed'; error: string },
  ): Promise<void> {
    await rows(
      tx,
      `INSERT INTO notification_deliveries (notification_id, channel, state, last_error)
       VALUES ($1, $2, $3, $4)
       ON CONFLICT (notification_id, channel) DO UPDATE
         SET state = EXCLUDED.state, last_error = EXCLUDED.last_error,
             attempts = notification_deliveries.attempts + 1, updated_at = now()
         WHERE notification_deliveries.state <> 'sent'`,
      [id, channel, outcome.state, outcome.state === 'failed' ? outcome.error : null],
    );
  }
}
