import { MetricsService } from '@bourse/platform';
import { Injectable } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import type { Tick } from '../tick';
import type { DropReason } from './tick-publisher';
import type { UpstreamObserver } from './upstream.runner';

/** The upstream's metrics on the worker's registry, for one provider. */
@Injectable()
export class MarketUpstreamMetrics {
  private readonly published: Counter<'symbol'>;
  private readonly dropped: Counter<'reason'>;
  private readonly leader: Gauge<'provider'>;

  constructor(metrics: MetricsService) {
    const registers = [metrics.registry];
    this.published = new Counter({
      name: 'market_ticks_published_total',
      help: 'Ticks stored as last price and published to the api nodes.',
      labelNames: ['symbol'],
      registers,
    });
    this.dropped = new Counter({
      name: 'market_ticks_dropped_total',
      help: 'Provider quotes not published: fenced, stale, duplicate, invalid or a Redis error.',
      labelNames: ['reason'],
      registers,
    });
    this.leader = new Gauge({
      name: 'market_leader',
      help: '1 while this process holds the provider lease and runs its upstream subscription.',
      labelNames: ['provider'],
      registers,
    });
  }

  observer(provider: string): UpstreamObserver {
    this.leader.set({ provider }, 0);

    return {
      published: (tick: Tick) => this.published.inc({ symbol: tick.symbol }),
      dropped: (reason: DropReason | 'error') => this.dropped.inc({ reason }),
      leading: (isLeader: boolean) => this.leader.set({ provider }, isLeader ? 1 : 0),
    };
  }
}
