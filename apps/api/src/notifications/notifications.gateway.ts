import {
  liveChannel,
  NOTIFICATION_EVENT,
  NOTIFICATIONS_NAMESPACE,
  type LiveMessage,
} from '@bourse/notifications';
import {
  APP_CONFIG,
  AuthService,
  REDIS_SUBSCRIBER,
  socketAuthMiddleware,
  type AppConfig,
} from '@bourse/platform';
import { Inject, Logger, type OnModuleDestroy } from '@nestjs/common';
import { WebSocketGateway, type OnGatewayConnection, type OnGatewayInit } from '@nestjs/websockets';
import type { Redis } from 'ioredis';
import type { Namespace, Socket } from 'socket.io';

const userRoom = (userId: string): string => `user:${userId}`;

/**
 * New in-app notifications, live: users connect with their access token and join their room;
 * every api node relays the worker's channel to the rooms it holds. Written with today's
 * primitives, to move onto the platform's gateway toolkit (user rooms, an emitter reaching any
 * node) when it lands.
 */
@WebSocketGateway({ namespace: NOTIFICATIONS_NAMESPACE, serveClient: false })
export class NotificationsGateway implements OnGatewayInit, OnGatewayConnection, OnModuleDestroy {
  private readonly logger = new Logger(NotificationsGateway.name);
  private readonly channel: string;
  private namespace?: Namespace;

  constructor(
    private readonly auth: AuthService,
    @Inject(REDIS_SUBSCRIBER) private readonly subscriber: Redis,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.channel = liveChannel(config.redis.keyPrefix);
  }

  afterInit(namespace: Namespace): void {
    this.namespace = namespace;
    namespace.use(socketAuthMiddleware(this.auth, { required: true }));
    this.subscriber.on('message', this.onMessage);
    this.subscriber.subscribe(this.channel).catch((error: unknown) => {
      this.logger.error({ msg: 'notifications channel not subscribed', err: error });
    });
  }

  handleConnection(socket: Socket): void {
    const principal = socket.data.principal as { kind: string; userId?: string } | undefined;
    if (principal?.kind === 'user' && principal.userId) {
      void socket.join(userRoom(principal.userId));
    } else {
      socket.disconnect(true); // API keys have no inbox
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.subscriber.off('message', this.onMessage);
    await this.subscriber.unsubscribe(this.channel).catch(() => 0);
  }

  private readonly onMessage = (channel: string, raw: string): void => {
    if (channel !== this.channel) {
      return;
    }
    const message = JSON.parse(raw) as LiveMessage;
    this.namespace?.to(userRoom(message.userId)).emit(NOTIFICATION_EVENT, message.notification);
  };
}
