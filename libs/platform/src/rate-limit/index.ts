export { AUTH_RATE_LIMIT, AuthRateLimit } from './auth-rate-limit.decorator';
export { RateLimitExceededError } from './rate-limit.errors';
export { RateLimitGuard } from './rate-limit.guard';
export { RateLimitModule } from './rate-limit.module';
export { RedisThrottlerStorage } from './redis-throttler.storage';
