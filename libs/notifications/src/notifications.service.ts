import { Database, newId, OutboxService, pageOf, SocketEmitter, type Tx } from '@bourse/platform';
import { NOTIFICATION_EVENT, NOTIFICATIONS_NAMESPACE } from './live';
import { Injectable, Logger } from '@nestjs/common';
import {
  toNotificationDto,
  type MarkAllReadDto,
  type NotificationDto,
  type NotificationPageDto,
  type NotificationQueryDto,
  type PreferencesDto,
} from './dto/notification.dto';
import { EmailTemplates } from './email-templates';
import { Mailer } from './mailer';
import { NotificationRepository } from './notification.repository';
import {
  InvalidNotificationError,
  NotificationNotFoundError,
  PhoneRequiredError,
} from './notifications.errors';
import {
  NOTIFICATIONS_QUEUE,
  NotificationsJob,
  sendJobId,
  type SendJob,
} from './notifications.jobs';
import { NotificationsMetrics } from './notifications.metrics';
import { PushSender } from './push-sender';
import { SmsSender } from './sms/sms-sender';
import { SmsRepository } from './sms/sms.repository';
import {
  CHANNELS,
  DEFAULT_PREFERENCES,
  NOTIFICATION_TYPE_PATTERN,
  type Notification,
  type NotifyInput,
  type Preferences,
  type SentChannel,
} from './notifications.types';

/** The job each channel the worker sends through is written as. */
const SEND_JOBS: Record<SentChannel, string> = {
  email: NotificationsJob.SendEmail,
  push: NotificationsJob.SendPush,
  sms: NotificationsJob.SendSms,
};

/** What a send job found: `sent` now, `already` sent by an earlier run, `gone` (deleted). */
export type SendOutcome = 'sent' | 'already' | 'gone';

/**
 * Messages to users. A lib calls `notify` in its own transaction; the notification and one
 * outbox job per channel the user's preferences allow commit with the lib's change, so it is
 * sent exactly when that change happened, at least once per channel and (the job id being the
 * notification's and the channel's) never by two jobs.
 */
@Injectable()
export class NotificationsService {
  private readonly logger = new Logger(NotificationsService.name);

  constructor(
    private readonly db: Database,
    private readonly outbox: OutboxService,
    private readonly repo: NotificationRepository,
    private readonly templates: EmailTemplates,
    private readonly mailer: Mailer,
    private readonly push: PushSender,
    private readonly sms: SmsSender,
    private readonly smsMessages: SmsRepository,
    private readonly sockets: SocketEmitter,
    private readonly metrics: NotificationsMetrics,
  ) {}

  async notify(tx: Tx, input: NotifyInput): Promise<Notification> {
    if (!NOTIFICATION_TYPE_PATTERN.test(input.type)) {
      throw new InvalidNotificationError(`Type must be <lib>.<event>, got ${input.type}`, 'type');
    }
    const preferences = await this.preferencesOf(tx, input.userId);
    const channels = CHANNELS.filter((channel) =>
      input.channels
        ? input.channels.includes(channel)
        : preferences[channel] && (input.onlyChannels?.includes(channel) ?? true),
    );
    if (channels.includes('sms') && !preferences.phone) {
      throw new PhoneRequiredError('channels');
    }
    const notification = await this.repo.insert(tx, {
      id: newId(),
      userId: input.userId,
      type: input.type,
      title: input.title,
      body: input.body,
      data: input.data ?? {},
      channels,
    });
    for (const channel of channels) {
      if (channel === 'in_app') {
        await this.outbox.enqueue<SendJob>(tx, {
          queue: NOTIFICATIONS_QUEUE,
          name: NotificationsJob.PublishLive,
          jobId: `notifications-live:${notification.id}`,
          payload: { notificationId: notification.id },
        });
      } else {
        await this.outbox.enqueue<SendJob>(tx, {
          queue: NOTIFICATIONS_QUEUE,
          name: SEND_JOBS[channel],
          jobId: sendJobId(channel, notification.id),
          payload: { notificationId: notification.id },
        });
      }
    }

    return notification;
  }

  async inbox(userId: string, query: NotificationQueryDto): Promise<NotificationPageDto> {
    const page = pageOf(query);
    const [found, unreadCount] = await Promise.all([
      this.repo.inbox(this.db.manager, userId, { ...page, unreadOnly: query.unread === 'true' }),
      this.repo.unreadCount(this.db.manager, userId),
    ]);
    const shown = found.slice(0, page.limit);

    return {
      notifications: shown.map(toNotificationDto),
      unreadCount,
      nextCursor: found.length > page.limit ? shown.at(-1)!.id : undefined,
    };
  }

  async markRead(userId: string, id: string): Promise<NotificationDto> {
    const notification = await this.repo.markRead(this.db.manager, userId, id);
    if (!notification) {
      throw new NotificationNotFoundError(id);
    }

    return toNotificationDto(notification);
  }

  async markAllRead(userId: string): Promise<MarkAllReadDto> {
    return { marked: await this.repo.markAllRead(this.db.manager, userId) };
  }

  preferences(userId: string): Promise<PreferencesDto> {
    return this.preferencesOf(this.db.manager, userId);
  }

  async setPreferences(userId: string, preferences: PreferencesDto): Promise<PreferencesDto> {
    const chosen: Preferences = {
      in_app: preferences.in_app,
      email: preferences.email,
      push: preferences.push,
      sms: preferences.sms ?? false,
      phone: preferences.phone,
    };
    if (chosen.sms && !chosen.phone) {
      throw new PhoneRequiredError('phone');
    }
    await this.repo.savePreferences(this.db.manager, userId, chosen);

    return chosen;
  }

  /**
   * A channel's job: sends the notification unless a run before this one did. The row stays
   * locked while the provider answers, so a duplicate run waits and then finds it sent; a
   * failure is recorded and thrown for the queue to retry.
   */
  async send(channel: SentChannel, notificationId: string): Promise<SendOutcome> {
    try {
      return await this.db.transaction(undefined, async (tx) => {
        if (!(await this.repo.find(tx, notificationId))) {
          return 'gone';
        }
        const notification = await this.repo.lockUnsent(tx, notificationId, channel);
        if (!notification) {
          return 'already';
        }
        await this.sendBy(channel, tx, notification);
        await this.repo.recordDelivery(tx, notification.id, channel, { state: 'sent' });
        this.metrics.recordSent(channel);

        return 'sent';
      });
    } catch (error) {
      await this.recordFailure(notificationId, channel, error);
      throw error;
    }
  }

  private async sendBy(channel: SentChannel, tx: Tx, notification: Notification): Promise<void> {
    switch (channel) {
      case 'email':
        return this.sendEmail(tx, notification);
      case 'push':
        await this.push.send(notification);

        return;
      case 'sms':
        return this.sendSms(tx, notification);
    }
  }

  /**
   * The title and body as one text, to the number in the user's preferences now; the message's
   * sid is kept for Twilio's status callbacks.
   */
  private async sendSms(tx: Tx, notification: Notification): Promise<void> {
    const { phone } = await this.preferencesOf(tx, notification.userId);
    if (!phone) {
      throw new PhoneRequiredError('phone');
    }
    const sent = await this.sms.send(phone, `${notification.title}: ${notification.body}`);
    await this.smsMessages.recordSent(tx, { ...sent, notificationId: notification.id, to: phone });
  }

  /** With its type's template; the Message-ID is the notification's, the same on a resend. */
  private async sendEmail(tx: Tx, notification: Notification): Promise<void> {
    const to = await this.repo.emailOf(tx, notification.userId);
    const template = this.templates.for(notification.type);
    await this.mailer.send(
      to!,
      `<${notification.id}@notifications.bourse>`,
      template.name,
      template.render(notification),
    );
  }

  /**
   * Emits a new in-app notification to its user's sockets on whichever api nodes hold them.
   * Best effort by nature (at most once): a client that was offline reads it from the inbox.
   */
  async publishLive(notificationId: string): Promise<void> {
    const notification = await this.repo.find(this.db.manager, notificationId);
    if (notification) {
      this.sockets
        .namespace(NOTIFICATIONS_NAMESPACE)
        .toUser(notification.userId, NOTIFICATION_EVENT, toNotificationDto(notification));
    }
  }

  private async recordFailure(id: string, channel: SentChannel, error: unknown): Promise<void> {
    this.metrics.recordFailed(channel);
    this.logger.warn({ msg: 'notification not sent', notificationId: id, channel, err: error });
    const message = error instanceof Error ? error.message : String(error);
    await this.repo.recordDelivery(this.db.manager, id, channel, {
      state: 'failed',
      error: message.slice(0, 1000),
    });
  }

  private async preferencesOf(tx: Tx, userId: string): Promise<Preferences> {
    return (await this.repo.preferences(tx, userId)) ?? DEFAULT_PREFERENCES;
  }
}
