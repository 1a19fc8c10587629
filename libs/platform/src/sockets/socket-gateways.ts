import { Inject, Injectable } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import type { ExtendedError, Namespace, Socket } from 'socket.io';
import { AuthService } from '../auth/auth.service';
import { socketAuthMiddleware, type AuthenticatedSocket } from '../auth/socket-auth';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { MetricsService } from '../observability/metrics.service';
import { clientAddressResolver } from './client-address';
import { ConnectionLimiter } from './connection-limiter';
import { EventRateLimiter } from './event-rate-limiter';
import { sessionRoom, userRoom } from './rooms';
import {
  handshakeError,
  SocketRateLimitedError,
  socketRefusal,
  TooManyConnectionsError,
} from './socket-errors';

export interface NamespaceOptions {
  /** `required`: callers with credentials only; `optional`: anonymous too (bad ones are refused). */
  auth: 'required' | 'optional';
  /** Connections one client address may hold to this namespace on one node. */
  maxConnectionsPerIp: number;
}

/**
 * What every namespace gets from one call in its gateway's `afterInit`: the per-address connection
 * cap, the handshake's authentication, each signed-in socket in its user's and session's rooms
 * (`userRoom`, `sessionRoom`), the per-socket event rate limit, and `socket_connections`.
 */
@Injectable()
export class SocketGateways {
  private readonly addressOf: (socket: Socket) => string;
  private readonly connections: Gauge<'namespace'>;
  private readonly rateLimited: Counter<'namespace'>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly auth: AuthService,
    metrics: MetricsService,
  ) {
    const resolve = clientAddressResolver(config.http.trustProxy);
    this.addressOf = (socket) =>
      resolve(socket.handshake.address, socket.handshake.headers['x-forwarded-for']);
    this.connections = new Gauge({
      name: 'socket_connections',
      help: 'Open Socket.IO connections by namespace on this node.',
      labelNames: ['namespace'],
      registers: [metrics.registry],
    });
    this.rateLimited = new Counter({
      name: 'socket_events_rate_limited_total',
      help: 'Socket.IO events refused by the per-socket rate limit (SOCKET_EVENTS_PER_SECOND).',
      labelNames: ['namespace'],
      registers: [metrics.registry],
    });
  }

  /**
   * The address limit is checked cheaply before authentication (a flood costs no credential
   * lookups) and counted after it.
   */
  setup(namespace: Namespace, options: NamespaceOptions): void {
    const limiter = new ConnectionLimiter(options.maxConnectionsPerIp);
    const labels = { namespace: namespace.name };
    namespace.use((socket, next) => {
      next(limiter.isFull(this.addressOf(socket)) ? tooManyConnections() : undefined);
    });
    namespace.use(socketAuthMiddleware(this.auth, { required: options.auth === 'required' }));
    namespace.use((socket, next) => {
      const address = this.addressOf(socket);
      if (!limiter.tryAcquire(address)) {
        return next(tooManyConnections());
      }
      this.connections.inc(labels);
      // A socket refused after the middlewares (its connection closed meanwhile) never emits
      // `disconnect`, but its connection always emits `close`.
      let released = false;
      const release = (): void => {
        if (!released) {
          released = true;
          limiter.release(address);
          this.connections.dec(labels);
        }
      };
      socket.once('disconnect', release);
      socket.conn.once('close', release);
      next();
    });
    namespace.on('connection', (socket: Socket) => {
      const { principal } = socket.data as AuthenticatedSocket['data'];
      if (principal?.kind === 'user') {
        void socket.join([userRoom(principal.userId), sessionRoom(principal.sessionId)]);
      }
      this.limitEvents(socket, labels);
    });
  }

  /** Over the limit, an event is dropped; one that asked for an ack is told why. */
  private limitEvents(socket: Socket, labels: { namespace: string }): void {
    const bucket = new EventRateLimiter(this.config.sockets.eventsPerSecond);
    socket.use((event, next) => {
      if (bucket.tryTake()) {
        return next();
      }
      this.rateLimited.inc(labels);
      const ack: unknown = event.at(-1);
      if (typeof ack === 'function') {
        ack(socketRefusal(new SocketRateLimitedError(bucket.perSecond)));
      }
    });
  }
}

const tooManyConnections = (): ExtendedError => handshakeError(new TooManyConnectionsError());
