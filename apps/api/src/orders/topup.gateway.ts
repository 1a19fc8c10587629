import { TOPUP_NAMESPACE } from '@bourse/orders';
import { SocketGateways } from '@bourse/platform';
import { WebSocketGateway, type OnGatewayConnection, type OnGatewayInit } from '@nestjs/websockets';
import type { Namespace, Socket } from 'socket.io';

/** Per-address cap of `/topup` sockets (a user's app, a reseller's dashboard). */
const MAX_CONNECTIONS_PER_IP = 50;

/**
 * Top-up orders, live: each signed-in socket sits in its user's room, which the worker and the
 * api emit `order` to at every state change (SocketEmitter). No client events: the order over
 * REST is the record after a reconnect.
 */
@WebSocketGateway({ namespace: TOPUP_NAMESPACE, serveClient: false })
export class TopupGateway implements OnGatewayInit, OnGatewayConnection {
  constructor(private readonly gateways: SocketGateways) {}

  afterInit(namespace: Namespace): void {
    this.gateways.setup(namespace, {
      auth: 'required',
      maxConnectionsPerIp: MAX_CONNECTIONS_PER_IP,
    });
  }

  handleConnection(socket: Socket): void {
    if ((socket.data.principal as { kind: string } | undefined)?.kind !== 'user') {
      socket.disconnect(true); // API keys follow their orders by webhook
    }
  }
}
