import {
  NOTIFICATIONS_QUEUE,
  NotificationsJob,
  NotificationsService,
  type SendJob,
  type SendOutcome,
} from '@bourse/notifications';
import { TracedJob } from '@bourse/platform';
import { Process, Processor } from '@nestjs/bull';
import type { Job } from 'bull';

/** One job per notification and channel (live in-app, e-mail, push, SMS); Bull retries a failed one. */
@Processor(NOTIFICATIONS_QUEUE)
export class SendNotificationProcessor {
  constructor(private readonly notifications: NotificationsService) {}

  @Process(NotificationsJob.SendEmail)
  @TracedJob()
  email({ data }: Job<SendJob>): Promise<SendOutcome> {
    return this.notifications.send('email', data.notificationId);
  }

  @Process(NotificationsJob.PublishLive)
  @TracedJob()
  live({ data }: Job<SendJob>): Promise<void> {
    return this.notifications.publishLive(data.notificationId);
  }

  @Process(NotificationsJob.SendPush)
  @TracedJob()
  push({ data }: Job<SendJob>): Promise<SendOutcome> {
    return this.notifications.send('push', data.notificationId);
  }

  @Process(NotificationsJob.SendSms)
  @TracedJob()
  sms({ data }: Job<SendJob>): Promise<SendOutcome> {
    return this.notifications.send('sms', data.notificationId);
  }
}
