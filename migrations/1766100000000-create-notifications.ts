import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateNotifications1766100000000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    // libs/notifications: one row per notification a lib sent a user, with the channels its
    // preferences chose when it was sent; the in-app inbox is the rows whose channels hold in_app.
    await q.query(`
      CREATE TABLE notifications (
        id         uuid PRIMARY KEY,
        user_id    uuid NOT NULL REFERENCES users (id),
        type       text NOT NULL,
        title      text NOT NULL,
        body       text NOT NULL,
        data       jsonb NOT NULL DEFAULT '{}',
        channels   text[] NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        read_at    timestamptz
      )`);
    await q.query(
      `CREATE INDEX notifications_inbox_idx ON notifications (user_id, id DESC)
        WHERE 'in_app' = ANY (channels)`,
    );
    // The unread count reads only unread rows.
    await q.query(
      `CREATE INDEX notifications_unread_idx ON notifications (user_id)
        WHERE read_at IS NULL AND 'in_app' = ANY (channels)`,
    );
    // Per channel beyond the inbox, what the worker did: a retried job finds `sent` and stops.
    await q.query(`
      CREATE TABLE notification_deliveries (
        notification_id uuid NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
        channel         text NOT NULL,
        state           text NOT NULL CHECK (state IN ('sent', 'failed')),
        attempts        int NOT NULL DEFAULT 1,
        last_error      text,
        updated_at      timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (notification_id, channel)
      )`);
    // A user without a row gets the defaults (every channel on).
    await q.query(`
      CREATE TABLE notification_preferences (
        user_id    uuid PRIMARY KEY REFERENCES users (id),
        in_app     boolean NOT NULL,
        email      boolean NOT NULL,
        push       boolean NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE notification_preferences`);
    await q.query(`DROP TABLE notification_deliveries`);
    await q.query(`DROP TABLE notifications`);
  }
}
