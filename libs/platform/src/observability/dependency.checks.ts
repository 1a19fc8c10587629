import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { Database } from '../database/database';
import { REDIS } from '../redis/redis.module';
import type { ReadinessCheck } from './health.checks';

@Injectable()
export class PostgresCheck implements ReadinessCheck {
  readonly name = 'postgres';

  constructor(private readonly db: Database) {}

  check(): Promise<void> {
    return this.db.ping();
  }
}

@Injectable()
export class RedisCheck implements ReadinessCheck {
  readonly name = 'redis';

  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async check(): Promise<void> {
    await this.redis.ping();
  }
}
