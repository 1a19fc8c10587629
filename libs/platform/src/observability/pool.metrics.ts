import { Inject, Injectable } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { Database } from '../database/database';
import { MetricsService } from './metrics.service';

/**
 * The Postgres pool as gauges, read at scrape time. `in_use` near `max` with `waiting` above 0 is
 * a saturated pool (requests then queue, and past DATABASE_CONNECT_TIMEOUT_MS answer 503).
 */
@Injectable()
export class PoolMetrics {
  constructor(metrics: MetricsService, db: Database, @Inject(APP_CONFIG) config: AppConfig) {
    const registers = [metrics.registry];
    new Gauge({
      name: 'db_pool_connections',
      help: 'Postgres pool connections by state: in_use (lent to a query or transaction), idle, max (DATABASE_POOL_SIZE).',
      labelNames: ['state'],
      registers,
      collect() {
        const { total, idle } = db.poolStats();
        this.set({ state: 'in_use' }, total - idle);
        this.set({ state: 'idle' }, idle);
        this.set({ state: 'max' }, config.database.poolSize);
      },
    });
    new Gauge({
      name: 'db_pool_waiting',
      help: 'Queries and transactions waiting for a Postgres pool connection.',
      registers,
      collect() {
        this.set(db.poolStats().waiting);
      },
    });
  }
}
