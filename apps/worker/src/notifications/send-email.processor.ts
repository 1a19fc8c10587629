import {
  NOTIFICATIONS_QUEUE,
  NotificationsJob,
  NotificationsService,
  type SendJob,
  type SendOutcome,
} from '@bourse/notifications';
import { Process, Processor } from '@nestjs/bull';
import type { Job } from 'bull';

@Processor(NOTIFICATIONS_QUEUE)
export class SendEmailProcessor {
  constructor(private readonly notifications: NotificationsService) {}

  @Process(NotificationsJob.SendEmail)
  handle({ data }: Job<SendJob>): Promise<SendOutcome> {
    return this.notifications.sendEmail(data.notificationId);
  }
}
