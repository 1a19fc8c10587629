import { Module, type ExecutionContext } from '@nestjs/common';
import { APP_GUARD, Reflector } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import type Redis from 'ioredis';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { REDIS } from '../redis/redis.module';
import { AUTH_RATE_LIMIT } from './auth-rate-limit.decorator';
import { RateLimitGuard } from './rate-limit.guard';
import { RedisThrottlerStorage } from './redis-throttler.storage';

/**
 * Limits every HTTP route per client IP (`request.ip`, which honours TRUST_PROXY; throttler's
 * default tracker, which also groups an IPv6 client's /56) and per route, since the throttler
 * key hashes controller, handler and tracker. Counters live in Redis, shared by all replicas.
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
            limit: (context: ExecutionContext) =>
              reflector.getAllAndOverride<boolean>(AUTH_RATE_LIMIT, [
                context.getHandler(),
                context.getClass(),
              ])
                ? config.rateLimit.authPerMinute
                : config.rateLimit.perMinute,
          },
        ],
      }),
    }),
  ],
  providers: [{ provide: APP_GUARD, useClass: RateLimitGuard }],
})
export class RateLimitModule {}
