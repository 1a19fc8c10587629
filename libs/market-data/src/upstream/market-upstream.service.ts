import { APP_CONFIG, REDIS } from '@bourse/platform';
import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import type Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { CandleService } from '../candles/candle.service';
import { PricesService } from '../candles/prices.service';
import { createPriceProvider } from '../providers';
import { SYMBOLS } from '../symbols';
import { LeaderLease } from './leader-lease';
import { MarketUpstreamMetrics } from './market-upstream.metrics';
import { resumePrices } from './resume-prices';
import { TickPublisher } from './tick-publisher';
import { UpstreamRunner } from './upstream.runner';
import type { MarketAppConfig } from '../market.config';

/**
 * The worker's side of the prices flow: competes for the lease of the configured provider and,
 * while it leads, runs the one live upstream subscription across all replicas, publishing each
 * quote as a tick and handing it to the candle buffer.
 */
@Injectable()
export class MarketUpstream implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly runner: UpstreamRunner;

  constructor(
    @Inject(APP_CONFIG) config: MarketAppConfig,
    @Inject(REDIS) redis: Redis,
    metrics: MarketUpstreamMetrics,
    candles: CandleService,
    prices: PricesService,
  ) {
    const { provider, leaseTtlMs } = config.market;
    this.runner = new UpstreamRunner({
      lease: new LeaderLease(redis, {
        provider,
        ownerId: `${hostname()}:${process.pid}:${randomUUID()}`,
        ttlMs: leaseTtlMs,
      }),
      publisher: new TickPublisher(redis, provider, config.redis.keyPrefix),
      createProvider: async () =>
        createPriceProvider(
          config,
          SYMBOLS,
          undefined,
          resumePrices(await prices.all(), await candles.newestBars(Date.now())),
        ),
      onTick: (tick) => candles.add(tick),
      observer: metrics.observer(provider),
    });
  }

  get isLeader(): boolean {
    return this.runner.isLeader;
  }

  onApplicationBootstrap(): void {
    this.runner.start();
  }

  // Module destroy comes before the Redis connections close: the provider stops, its last
  // ticks are published, then the lease is released so another replica takes over at once.
  onModuleDestroy(): Promise<void> {
    return this.runner.stop();
  }
}
