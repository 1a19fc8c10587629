import { APP_CONFIG, Database, REDIS } from '@bourse/platform';
import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { AlertStreamRepository } from './alert-stream.repository';
import type { AlertsAppConfig } from './alerts.config';
import { AlertsChannels } from './alerts.keys';
import type { LiveEventMessage } from './alerts.live';
import { toAlertEventDto, type AlertEventDto, type AlertEventPageDto } from './dto/alert-event.dto';

/** Where a (re)connecting client starts: after `from`; `resync` when its own cursor is void. */
export interface ResumePoint {
  from: number;
  lastSeq: number;
  resync: boolean;
}

/** A user's stream of fired events: pages, cursors, and the publish the api nodes listen to. */
@Injectable()
export class AlertEventsService {
  private readonly eventsChannel: string;

  constructor(
    private readonly db: Database,
    private readonly streams: AlertStreamRepository,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) config: AlertsAppConfig,
  ) {
    this.eventsChannel = AlertsChannels.events(config.redis.keyPrefix);
  }

  async page(userId: string, after: number, limit: number): Promise<AlertEventPageDto> {
    const [events, position] = await Promise.all([
      this.streams.after(this.db.manager, userId, after, limit),
      this.streams.position(this.db.manager, userId),
    ]);

    return { events: events.map(toAlertEventDto), lastSeq: position.lastSeq };
  }

  async after(userId: string, after: number, limit: number): Promise<AlertEventDto[]> {
    return (await this.streams.after(this.db.manager, userId, after, limit)).map(toAlertEventDto);
  }

  /**
   * Where a client that holds events up to `lastSeq` (the event `lastEventId`) resumes. Without
   * a `lastSeq`, after the acknowledged cursor. A `lastSeq` beyond the stream's end, or whose
   * event is not `lastEventId`, means the stream was reset under the client (a restore): it is
   * told to resync and gets the stream from the acknowledged cursor.
   */
  async resume(userId: string, lastSeq?: number, lastEventId?: string): Promise<ResumePoint> {
    const position = await this.streams.position(this.db.manager, userId);
    if (lastSeq === undefined) {
      return { from: position.ackedSeq, lastSeq: position.lastSeq, resync: false };
    }
    const reset =
      lastSeq > position.lastSeq ||
      (lastSeq > 0 &&
        lastEventId !== undefined &&
        (await this.streams.at(this.db.manager, userId, lastSeq))?.id !== lastEventId);

    return reset
      ? {
          from: Math.min(position.ackedSeq, position.lastSeq),
          lastSeq: position.lastSeq,
          resync: true,
        }
      : { from: lastSeq, lastSeq: position.lastSeq, resync: false };
  }

  /** Advances the acknowledged cursor (never back); answers where it stands. */
  ack(userId: string, seq: number): Promise<number> {
    return this.streams.ack(this.db.manager, userId, seq);
  }

  /** The outbox's publish-live job: the event to the api nodes again (they drop repeats). */
  async publishLive(eventId: string): Promise<void> {
    const event = await this.streams.find(this.db.manager, eventId);
    if (event) {
      const message: LiveEventMessage = { userId: event.userId, event: toAlertEventDto(event) };
      await this.redis.publish(this.eventsChannel, JSON.stringify(message));
    }
  }
}
