import { Module } from '@nestjs/common';
import { PriceFanout } from './price-fanout.service';

/** The api's live price fan-out; the app's `/prices` gateway drives it. */
@Module({
  providers: [PriceFanout],
  exports: [PriceFanout],
})
export class MarketFanoutModule {}
