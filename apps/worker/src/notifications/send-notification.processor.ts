import {
  NOTIFICATIONS_QUEUE,
  NotificationsJob,
  NotificationsService,
  type SendJob,
  type SendOutcome,
} from '@bourse/notifications';
import { Process, Processor } from '@nestjs/bull';
import type { Job } from 'bull';

/** One job per notification and channel (e-mail, push); Bull retries a failed send. */
@Processor(NOTIFICATIONS_QUEUE)
export class SendNotificationProcessor {
  constructor(private readonly notifications: NotificationsService) {}

  @Process(NotificationsJob.SendEmail)
  email({ data }: Job<SendJob>): Promise<SendOutcome> {
    return this.notifications.send('email', data.notificationId);
  }

  @Process(NotificationsJob.SendPush)
  push({ data }: Job<SendJob>): Promise<SendOutcome> {
    return this.notifications.send('push', data.notificationId);
  }
}
