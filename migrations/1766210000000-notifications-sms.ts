import type { MigrationInterface, QueryRunner } from 'typeorm';

export class NotificationsSms1766210000000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    // SMS is opt-in (it costs per message) and goes to a number the user gave, in E.164.
    await q.query(`
      ALTER TABLE notification_preferences
        ADD COLUMN sms   boolean NOT NULL DEFAULT false,
        ADD COLUMN phone text CHECK (phone ~ '^\\+[1-9][0-9]{6,14}$'),
        ADD CONSTRAINT notification_preferences_sms_phone CHECK (NOT sms OR phone IS NOT NULL)`);
    // Each SMS Twilio accepted, by its sid, with the furthest status Twilio reported. A status
    // callback may arrive before the sending transaction commits: whichever writes first
    // inserts the row, so notification_id and to_number are empty until the send's commit.
    await q.query(`
      CREATE TABLE sms_messages (
        sid             text PRIMARY KEY,
        notification_id uuid REFERENCES notifications (id) ON DELETE CASCADE,
        to_number       text,
        status          text NOT NULL,
        error_code      int,
        updated_at      timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX sms_messages_notification_idx ON sms_messages (notification_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE sms_messages`);
    await q.query(`ALTER TABLE notification_preferences DROP COLUMN phone, DROP COLUMN sms`);
  }
}
