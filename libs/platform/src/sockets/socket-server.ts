import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { createAdapter } from '@socket.io/redis-adapter';
import type Redis from 'ioredis';
import type { Server as HttpServer } from 'node:http';
import { Counter } from 'prom-client';
import { Server, type ServerOptions } from 'socket.io';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { MetricsService } from '../observability/metrics.service';
import { createRedis } from '../redis/redis.module';

/** Pub/sub channels are not prefixed by ioredis: the adapter's start with REDIS_KEY_PREFIX. */
export const socketChannelPrefix = (keyPrefix: string): string => `${keyPrefix}:socket.io`;

/**
 * This process's Socket.IO server on the Redis (pub/sub) adapter, so an emit to a room reaches
 * its sockets on every node. The api attaches it to its HTTP server (ClusterIoAdapter); the
 * worker keeps it headless and only emits through it. Two connections of its own: the adapter's
 * subscriber, and a publisher whose failures are caught here.
 */
@Injectable()
export class SocketServer implements OnApplicationShutdown {
  readonly io: Server;
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private attached = false;

  constructor(@Inject(APP_CONFIG) config: AppConfig, metrics: MetricsService) {
    const failures = new Counter({
      name: 'socket_publish_failures_total',
      help: 'Socket.IO emits and disconnects that could not be published to the other nodes (Redis away).',
      registers: [metrics.registry],
    });
    this.publisher = catchPublishFailures(createRedis(config, 'socket.io-pub'), () =>
      failures.inc(),
    );
    this.subscriber = createRedis(config, 'socket.io-sub', { waitForConnection: true });
    this.io = new Server({
      serveClient: false,
      adapter: createAdapter(this.publisher, this.subscriber, {
        key: socketChannelPrefix(config.redis.keyPrefix),
      }),
    });
  }

  /** Serves the server on the api's HTTP server: once, for every gateway. */
  attach(http: HttpServer, options?: Partial<ServerOptions>): Server {
    if (this.attached) {
      throw new Error('The Socket.IO server is already attached to an HTTP server');
    }
    this.attached = true;

    return this.io.attach(http, options);
  }

  // After Nest has closed the gateways (and with them the attached server's namespaces).
  async onApplicationShutdown(): Promise<void> {
    await Promise.all(
      [this.publisher, this.subscriber].map((client) =>
        client.quit().catch(() => client.disconnect()),
      ),
    );
  }
}

/**
 * The adapter drops the promise of every PUBLISH: while Redis is away each would reject unhandled
 * and end the process. Failures are counted, and logged once per outage; like all pub/sub, an
 * emit is at most once (durable state stays in Postgres, clients refetch after a reconnect).
 */
function catchPublishFailures(client: Redis, counted: () => void): Redis {
  const logger = new Logger('SocketServer');
  const publish = client.publish.bind(client) as (
    channel: string,
    message: string | Buffer,
  ) => Promise<number>;
  let failing = false;
  const safe = (channel: string, message: string | Buffer): Promise<number> =>
    publish(channel, message).then(
      (receivers) => {
        failing = false;

        return receivers;
      },
      (error: unknown) => {
        counted();
        if (!failing) {
          failing = true;
          logger.warn({
            msg: 'Socket.IO publish failed; emits are lost until Redis is back',
            err: error,
          });
        }

        return 0;
      },
    );

  return Object.assign(client, { publish: safe as unknown as Redis['publish'] });
}
