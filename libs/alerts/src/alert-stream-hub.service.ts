import { APP_CONFIG, REDIS_SUBSCRIBER } from '@bourse/platform';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import type Redis from 'ioredis';
import { setTimeout as delay } from 'node:timers/promises';
import { AlertEventsService } from './alert-events.service';
import type { AlertsAppConfig } from './alerts.config';
import { AlertsChannels } from './alerts.keys';
import type { LiveEventMessage } from './alerts.live';
import { AlertsDeliveryMetrics } from './alerts.metrics';
import { ConcurrencyGate } from './concurrency-gate';
import type { AlertEventDto } from './dto/alert-event.dto';

const REPLAY_PAGE = 500;
// Stream reads one node runs at once: a few of the pool's connections, whatever the burst.
const READ_CONCURRENCY = 4;
// A read that fails (a database connection refused or timed out under load) is tried again.
const READ_ATTEMPTS = 4;
const READ_RETRY_MS = 250;
const RESUBSCRIBE_DELAY_MS = 1_000;

/** Where a connection's events are written: a socket or a Server-Sent Events response. */
export interface StreamSink {
  write(event: AlertEventDto): void;
}

/**
 * One connection's view of a user's stream: every event after `delivered`, once and in seq
 * order. A live event that is the next one is written at once; anything else (a gap, an event
 * arriving while the replay runs) makes the session read what it lacks from Postgres, so the
 * replay and the live path may overlap without a duplicate or a hole.
 */
export class StreamSession {
  private reading?: Promise<void>;
  private stale = false;
  closed = false;

  constructor(
    readonly userId: string,
    private delivered: number,
    private readonly sink: StreamSink,
    private readonly read: (after: number, limit: number) => Promise<AlertEventDto[]>,
    private readonly metrics: AlertsDeliveryMetrics,
  ) {}

  get lastDelivered(): number {
    return this.delivered;
  }

  /** Writes everything after the starting point; resolves with how many events it replayed. */
  async replay(): Promise<number> {
    const from = this.delivered;
    await this.catchUp();

    return this.delivered - from;
  }

  offer(event: AlertEventDto): void {
    if (this.closed || event.seq <= this.delivered) {
      return;
    }
    if (!this.reading && event.seq === this.delivered + 1) {
      this.deliver(event);
      this.metrics.recordDelivered(Date.parse(event.triggeredAt));

      return;
    }
    void this.catchUp();
  }

  /** Reads until nothing newer is known; a request while reading makes it read once more. */
  private catchUp(): Promise<void> {
    if (this.reading) {
      this.stale = true;

      return this.reading;
    }
    this.reading = (async () => {
      try {
        do {
          this.stale = false;
          for (;;) {
            const page = await this.read(this.delivered, REPLAY_PAGE);
            page.forEach((event) => this.deliver(event));
            if (page.length < REPLAY_PAGE || this.closed) {
              break;
            }
          }
        } while (this.stale && !this.closed);
      } finally {
        this.reading = undefined;
      }
    })();

    return this.reading;
  }

  private deliver(event: AlertEventDto): void {
    if (this.closed || event.seq !== this.delivered + 1) {
      return;
    }
    this.delivered = event.seq;
    this.sink.write(event);
  }
}

/**
 * The api node's live alert streams. It SUBSCRIBEs once to the fired-events channel and offers
 * each event to the local sessions of its user (sockets and SSE responses alike).
 */
@Injectable()
export class AlertStreamHub implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(AlertStreamHub.name);
  private readonly sessions = new Map<string, Set<StreamSession>>();
  private readonly channel: string;
  private readonly gate = new ConcurrencyGate(READ_CONCURRENCY);
  private resubscribeTimer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    @Inject(APP_CONFIG) config: AlertsAppConfig,
    @Inject(REDIS_SUBSCRIBER) private readonly subscriber: Redis,
    private readonly events: AlertEventsService,
    private readonly metrics: AlertsDeliveryMetrics,
  ) {
    this.channel = AlertsChannels.events(config.redis.keyPrefix);
  }

  onModuleInit(): void {
    this.subscriber.on('message', this.onMessage);
    this.listen();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.resubscribeTimer);
    this.subscriber.off('message', this.onMessage);
    await this.subscriber.unsubscribe(this.channel).catch(() => 0);
  }

  /**
   * Opens a session after `from` and replays what the user missed, then streams live events. The
   * session listens before it replays, so nothing fired meanwhile falls between the two.
   */
  async open(userId: string, from: number, sink: StreamSink): Promise<StreamSession> {
    const session = new StreamSession(
      userId,
      from,
      sink,
      (after, limit) => this.admit(() => this.events.after(userId, after, limit)),
      this.metrics,
    );
    let own = this.sessions.get(userId);
    if (!own) {
      own = new Set();
      this.sessions.set(userId, own);
    }
    own.add(session);
    try {
      this.metrics.recordReplay(await session.replay());
    } catch (error) {
      this.close(session);
      throw error;
    }

    return session;
  }

  /**
   * Runs a stream's database read in turn with the node's other stream reads, trying a failed
   * read again: reads are idempotent, and a session keeps its position across the attempts.
   */
  admit<T>(read: () => Promise<T>): Promise<T> {
    return this.gate.run(async () => {
      for (let attempt = 1; ; attempt += 1) {
        try {
          return await read();
        } catch (error) {
          if (attempt >= READ_ATTEMPTS) {
            throw error;
          }
          this.logger.warn({ msg: 'alert stream read failed; retrying', attempt, err: error });
          await delay(READ_RETRY_MS * attempt);
        }
      }
    });
  }

  close(session: StreamSession): void {
    session.closed = true;
    const own = this.sessions.get(session.userId);
    own?.delete(session);
    if (own?.size === 0) {
      this.sessions.delete(session.userId);
    }
  }

  private readonly onMessage = (channel: string, raw: string): void => {
    if (channel !== this.channel) {
      return;
    }
    let message: LiveEventMessage;
    try {
      message = JSON.parse(raw) as LiveEventMessage;
    } catch {
      return;
    }
    this.sessions.get(message.userId)?.forEach((session) => session.offer(message.event));
  };

  private listen(): void {
    this.subscriber.subscribe(this.channel).catch((error: unknown) => {
      this.logger.warn({ msg: 'alert events not subscribed; retrying', err: error });
      if (!this.stopped) {
        this.resubscribeTimer = setTimeout(() => this.listen(), RESUBSCRIBE_DELAY_MS);
      }
    });
  }
}
