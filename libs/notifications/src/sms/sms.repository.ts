import { rows, type Tx } from '@bourse/platform';
import { Injectable } from '@nestjs/common';

/**
 * How far along Twilio's lifecycle a status is; a report only moves a message forward, so a late
 * `sent` after `delivered` (callbacks may arrive out of order) changes nothing. The final ones
 * share a rank: the first reported stays.
 */
const RANK = `CASE $STATUS WHEN 'accepted' THEN 0 WHEN 'scheduled' THEN 0 WHEN 'queued' THEN 1
  WHEN 'sending' THEN 2 WHEN 'sent' THEN 3 ELSE 4 END`;
const rank = (status: string): string => RANK.replace('$STATUS', status);

@Injectable()
export class SmsRepository {
  /** The message as sent: ours from now on, whatever status a callback stored before. */
  async recordSent(
    tx: Tx,
    sms: { sid: string; notificationId: string; to: string; status: string },
  ): Promise<void> {
    await rows(
      tx,
      `INSERT INTO sms_messages (sid, notification_id, to_number, status) VALUES ($1, $2, $3, $4)
       ON CONFLICT (sid) DO UPDATE
         SET notification_id = EXCLUDED.notification_id, to_number = EXCLUDED.to_number,
             status = CASE WHEN ${rank('EXCLUDED.status')} > ${rank('sms_messages.status')}
                           THEN EXCLUDED.status ELSE sms_messages.status END`,
      [sms.sid, sms.notificationId, sms.to, sms.status],
    );
  }

  /** A status Twilio reported; applied only if it moves the message forward. */
  async applyStatus(
    tx: Tx,
    report: { sid: string; status: string; errorCode?: number },
  ): Promise<void> {
    await rows(
      tx,
      `INSERT INTO sms_messages (sid, status, error_code) VALUES ($1, $2, $3)
       ON CONFLICT (sid) DO UPDATE
         SET status = EXCLUDED.status, error_code = EXCLUDED.error_code, updated_at = now()
         WHERE ${rank('EXCLUDED.status')} > ${rank('sms_messages.status')}`,
      [report.sid, report.status, report.errorCode ?? null],
    );
  }
}
