import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { createAdapter } from '@socket.io/redis-adapter';
import type Redis from 'ioredis';
import type { Server as HttpServer } from 'node:http';
import { Counter } from 'prom-client';
import { Server, type ServerOptions } from 'socket.io';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { MetricsService } from '../observability/metrics.service';
import { createRedis, quit } from '../redis/redis.module';

/** Pub/sub channels are not prefixed by ioredis: the adapter's start with REDIS_KEY_PREFIX. */
const channelPrefix = (keyPrefix: string): string => `${keyPrefix}:socket.io`;

/**
 * This process's Socket.IO server on the Redis (pub/sub) adapter, so an emit to a room reaches
 * its sockets on every node. The api attaches it to its HTTP server (ClusterIoAdapter); the
 * worker keeps it headless and only emits through it. Two connections of its own: the adapter's
 * publisher and its subscriber.
 */
@Injectable()
export class SocketServer implements OnApplicationShutdown {
  readonly io: Server;
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private attached = false;

  constructor(@Inject(APP_CONFIG) config: AppConfig, metrics: MetricsService) {
    const failures = new Counter({
      name: 'socket_adapter_failures_total',
      help: 'Socket.IO adapter commands Redis did not take (emits and disconnects lost for other nodes, subscriptions not made).',
      registers: [metrics.registry],
    });
    const failed = outageLogger(() => failures.inc());
    this.publisher = catchDropped(createRedis(config, 'socket.io-pub'), ['publish'], failed);
    this.subscriber = catchDropped(
      createRedis(config, 'socket.io-sub', { subscriber: true }),
      ['subscribe', 'psubscribe', 'unsubscribe', 'punsubscribe'],
      failed,
    );
    this.io = new Server({
      serveClient: false,
      adapter: createAdapter(this.publisher, this.subscriber, {
        key: channelPrefix(config.redis.keyPrefix),
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
    await Promise.all([this.publisher, this.subscriber].map(quit));
  }
}

/**
 * The adapter drops the promises of its Redis commands: one rejected while Redis is away (or as
 * the connection closes) would be an unhandled rejection and end the process. They are caught
 * here and reported. Like all pub/sub, an emit is at most once: durable state stays in Postgres,
 * and clients refetch after a reconnect.
 */
function catchDropped(client: Redis, methods: string[], failed: (error: unknown) => void): Redis {
  const commands = client as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  for (const method of methods) {
    const command = commands[method]!.bind(client);
    commands[method] = (...args) =>
      command(...args).catch((error: unknown) => {
        failed(error);

        return 0;
      });
  }

  return client;
}

/** Counts every failure and logs at most one a minute, not a line per emit during an outage. */
function outageLogger(count: () => void): (error: unknown) => void {
  const logger = new Logger('SocketServer');
  let lastLoggedAt = 0;

  return (error) => {
    count();
    if (Date.now() - lastLoggedAt > 60_000) {
      lastLoggedAt = Date.now();
      logger.warn({ msg: 'Socket.IO adapter command failed (Redis away?)', err: error });
    }
  };
}
