import { requireConfigSection } from '@bourse/platform';
import { Module } from '@nestjs/common';
import { MARKET_CONFIG } from '../market.config';
import { PriceFanout } from './price-fanout.service';

/** The api's live price fan-out; the app's `/prices` gateway drives it. */
@Module({
  providers: [requireConfigSection(MARKET_CONFIG), PriceFanout],
  exports: [PriceFanout],
})
export class MarketFanoutModule {}
