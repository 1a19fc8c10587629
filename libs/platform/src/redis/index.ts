export { createRedis, REDIS, REDIS_SUBSCRIBER, RedisModule } from './redis.module';
