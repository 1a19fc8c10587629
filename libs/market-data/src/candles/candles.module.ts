import { Module } from '@nestjs/common';
import { CandleBackfill } from './candle.backfill';
import { CandleRepository } from './candle.repository';
import { CandleService } from './candle.service';
import { PricesService } from './prices.service';

/**
 * Candles (writes in the worker, reads in the api), last prices and the backfill. Needs the
 * platform's Database, REDIS and APP_CONFIG (global modules).
 */
@Module({
  providers: [CandleRepository, CandleService, CandleBackfill, PricesService],
  exports: [CandleService, CandleBackfill, PricesService],
})
export class CandlesModule {}
