import { Module, type ExecutionContext } from '@nestjs/common';
import { APP_GUARD, Reflector } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import type Redis from 'ioredis';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { WEBHOOK_ROUTE } from '../inbox/webhook.decorators';
import { REDIS } from '../redis/redis.module';
import { AUTH_RATE_LIMIT } from './auth-rate-limit.decorator';
import { RateLimitGuard } from './rate-limit.guard';
import { RedisThrottlerStorage } from './redis-throttler.storage';

/**
 * Limits every HTTP route per client IP (`request.ip`, which honours TRUST_PROXY; throttler's
 * default tracker, which also groups an IPv6 client's /56) and per route, since the throttler
 * key hashes controller, handler and tracker. Counters live in Redis, shared by all replicas.
 * Provider webhooks (`@Webhook()`) have their own limit: a burst of events from one
 * provider address must not be held to what a user may send.
 */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [APP_CONFIG, REDIS, Reflector],
      useFactory: (config: AppConfig, redis: Redis, reflector: Reflector) => ({
        storage: new RedisThrottlerStorage(redis),
        throttlers: [
          {
            ttl: 60_000,
            limit: (context: ExecutionContext) => {
              const targets = [context.getHandler(), context.getClass()];
              if (reflector.getAllAndOverride<unknown>(WEBHOOK_ROUTE, targets)) {
                return config.rateLimit.webhookPerMinute;
              }

              return reflector.getAllAndOverride<boolean>(AUTH_RATE_LIMIT, targets)
                ? config.rateLimit.authPerMinute
                : config.rateLimit.perMinute;
            },
          },
        ],
      }),
    }),
  ],
  providers: [{ provide: APP_GUARD, useClass: RateLimitGuard }],
})
export class RateLimitModule {}
