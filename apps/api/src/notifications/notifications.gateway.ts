import { NOTIFICATIONS_NAMESPACE, type NotificationsAppConfig } from '@bourse/notifications';
import { APP_CONFIG, SocketGateways } from '@bourse/platform';
import { Inject } from '@nestjs/common';
import { WebSocketGateway, type OnGatewayConnection, type OnGatewayInit } from '@nestjs/websockets';
import type { Namespace, Socket } from 'socket.io';

/**
 * New in-app notifications, live: users connect with their access token and the toolkit puts
 * each socket in its user's room, which the worker emits to (SocketEmitter, any api node). The
 * namespace has no client events: the inbox over REST is the source of truth after a reconnect.
 */
@WebSocketGateway({ namespace: NOTIFICATIONS_NAMESPACE, serveClient: false })
export class NotificationsGateway implements OnGatewayInit, OnGatewayConnection {
  constructor(
    private readonly gateways: SocketGateways,
    @Inject(APP_CONFIG) private readonly config: NotificationsAppConfig,
  ) {}

  afterInit(namespace: Namespace): void {
    this.gateways.setup(namespace, {
      auth: 'required',
      maxConnectionsPerIp: this.config.notifications.maxConnectionsPerIp,
    });
  }

  handleConnection(socket: Socket): void {
    if ((socket.data.principal as { kind: string } | undefined)?.kind !== 'user') {
      socket.disconnect(true); // API keys have no inbox
    }
  }
}
