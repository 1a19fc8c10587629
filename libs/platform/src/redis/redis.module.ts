import { Global, Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';

/** Commands client; every key it touches is prefixed with `${REDIS_KEY_PREFIX}:`. */
export const REDIS = Symbol('REDIS');
/** A second connection for SUBSCRIBE (a subscribed connection cannot run other commands). */
export const REDIS_SUBSCRIBER = Symbol('REDIS_SUBSCRIBER');

export function createRedis(
  config: AppConfig,
  name: string,
  options: { lazy?: boolean; autoPipelining?: boolean; subscriber?: boolean } = {},
): Redis {
  const client = new Redis(config.redis.url, {
    keyPrefix: `${config.redis.keyPrefix}:`,
    connectionName: `bourse-${name}`,
    lazyConnect: options.lazy ?? false,
    // Fail commands fast while Redis is away instead of queueing them for seconds. A subscriber's
    // SUBSCRIBEs instead wait for Redis (ioredis renews only those that succeeded), and it skips
    // the ready check: ioredis sends a SUBSCRIBE issued while connecting at once, and the check's
    // INFO, refused in subscriber mode, would then fail the connection.
    maxRetriesPerRequest: options.subscriber ? null : 2,
    enableReadyCheck: !options.subscriber,
    enableOfflineQueue: true,
    // Commands issued in one turn of the event loop (every request's rate-limit check, say) go
    // out in one write: on these VMs each socket write wakes Redis and costs more than the command.
    enableAutoPipelining: options.autoPipelining ?? false,
  });
  logConnectionErrors(client, name);

  return client;
}

/**
 * ioredis reconnects by itself, and without an 'error' listener prints every failed attempt as
 * plain text on stderr. Instead: one JSON warning when the connection fails, one line when it
 * is back, nothing per retry in between.
 */
function logConnectionErrors(client: Redis, name: string): void {
  const logger = new Logger(`Redis:${name}`);
  let failing = false;
  client.on('error', (error: Error) => {
    if (!failing) {
      failing = true;
      logger.warn({ msg: 'Redis connection failed; retrying', err: error });
    }
  });
  client.on('ready', () => {
    if (failing) {
      failing = false;
      logger.log('Redis connection restored');
    }
  });
}

@Global()
@Module({
  providers: [
    {
      provide: REDIS,
      inject: [APP_CONFIG],
      useFactory: (c: AppConfig) => createRedis(c, 'commands', { autoPipelining: true }),
    },
    {
      provide: REDIS_SUBSCRIBER,
      inject: [APP_CONFIG],
      useFactory: (c: AppConfig) => createRedis(c, 'subscriber', { lazy: true }),
    },
  ],
  exports: [REDIS, REDIS_SUBSCRIBER],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(REDIS_SUBSCRIBER) private readonly subscriber: Redis,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([this.redis, this.subscriber].map(quit));
  }
}

/**
 * QUIT when connected (pending replies arrive first); otherwise drop the connection at once: a
 * QUIT queued while Redis is away would wait for it (forever on a subscriber connection).
 */
export async function quit(client: Redis): Promise<void> {
  if (client.status !== 'ready') {
    client.disconnect();

    return;
  }
  await client.quit().catch(() => client.disconnect());
}
