import {
  ALERTS_NAMESPACE,
  AlertEventsService,
  AlertsEvent,
  AlertStreamHub,
  type AckReply,
  type AlertsAppConfig,
  type AlertsClientEvents,
  type AlertsServerEvents,
  type StreamSession,
} from '@bourse/alerts';
import {
  APP_CONFIG,
  SocketExceptionFilter,
  SocketGateways,
  type Principal,
} from '@bourse/platform';
import { Inject, Logger, UseFilters } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
  type OnGatewayInit,
} from '@nestjs/websockets';
import type { Namespace, Socket } from 'socket.io';

type AlertsSocket = Socket<AlertsClientEvents, AlertsServerEvents>;

const optionalSeq = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;

/**
 * A user's fired alerts, live and replayed (protocol in libs/alerts/README.md). The handshake's
 * `lastSeq`/`lastEventId` say where the client stands; the stream hub replays what it missed and
 * then writes live events, each once per connection, in seq order.
 */
@UseFilters(SocketExceptionFilter)
@WebSocketGateway({ namespace: ALERTS_NAMESPACE, serveClient: false })
export class AlertsGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect {
  private readonly logger = new Logger(AlertsGateway.name);
  private readonly sessions = new Map<string, Promise<StreamSession | undefined>>();

  constructor(
    private readonly gateways: SocketGateways,
    private readonly hub: AlertStreamHub,
    private readonly events: AlertEventsService,
    @Inject(APP_CONFIG) private readonly config: AlertsAppConfig,
  ) {}

  afterInit(namespace: Namespace): void {
    this.gateways.setup(namespace, {
      auth: 'required',
      maxConnectionsPerIp: this.config.alerts.maxConnectionsPerIp,
    });
  }

  handleConnection(socket: AlertsSocket): void {
    const principal = socket.data.principal as Principal | undefined;
    if (principal?.kind !== 'user') {
      socket.disconnect(true); // API keys have no alerts

      return;
    }
    this.sessions.set(socket.id, this.open(socket, principal.userId));
  }

  handleDisconnect(socket: AlertsSocket): void {
    const session = this.sessions.get(socket.id);
    this.sessions.delete(socket.id);
    void session?.then((opened) => opened && this.hub.close(opened));
  }

  @SubscribeMessage(AlertsEvent.Ack)
  async ack(
    @ConnectedSocket() socket: AlertsSocket,
    @MessageBody() payload: unknown,
  ): Promise<AckReply> {
    const principal = socket.data.principal as Principal & { kind: 'user' };
    const seq = optionalSeq((payload as { seq?: unknown } | null)?.seq);
    if (seq === undefined) {
      return {
        ok: false,
        error: { code: 'alerts.invalid_payload', message: 'seq must be a whole number >= 0' },
      };
    }

    return { ok: true, ackedSeq: await this.events.ack(principal.userId, seq) };
  }

  private async open(socket: AlertsSocket, userId: string): Promise<StreamSession | undefined> {
    const auth = socket.handshake.auth as { lastSeq?: unknown; lastEventId?: unknown };
    try {
      const resume = await this.hub.admit(() =>
        this.events.resume(
          userId,
          optionalSeq(auth.lastSeq),
          typeof auth.lastEventId === 'string' ? auth.lastEventId : undefined,
        ),
      );
      socket.emit(AlertsEvent.Ready, resume);
      const session = await this.hub.open(userId, resume.from, {
        write: (event) => socket.emit(AlertsEvent.Alert, event),
      });
      if (socket.disconnected) {
        this.hub.close(session);
      }

      return session;
    } catch (error) {
      this.logger.warn({ msg: 'alert stream not opened', userId, err: error });
      // Closing the transport (not `disconnect`) lets the client reconnect with its back-off.
      socket.conn.close();

      return undefined;
    }
  }
}
