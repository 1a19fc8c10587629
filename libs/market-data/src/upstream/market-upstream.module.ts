import { Module } from '@nestjs/common';
import { CandlesModule } from '../candles/candles.module';
import { MarketUpstreamMetrics } from './market-upstream.metrics';
import { MarketUpstream } from './market-upstream.service';

/** The worker's upstream subscription (one leader per provider) and tick pipeline. */
@Module({
  imports: [CandlesModule],
  providers: [MarketUpstreamMetrics, MarketUpstream],
  exports: [MarketUpstream],
})
export class MarketUpstreamModule {}
