import { requireConfigSection } from '@bourse/platform';
import { Module } from '@nestjs/common';
import { MARKET_CONFIG } from '../market.config';
import { CandleBackfill } from './candle.backfill';
import { CandleRepository } from './candle.repository';
import { CandleService } from './candle.service';
import { PricesService } from './prices.service';

/**
 * Candles (writes in the worker, reads in the api), last prices and the backfill. Needs the
 * platform's Database, REDIS and APP_CONFIG (global modules), its config composing MARKET_CONFIG.
 */
@Module({
  providers: [
    requireConfigSection(MARKET_CONFIG),
    CandleRepository,
    CandleService,
    CandleBackfill,
    PricesService,
  ],
  exports: [CandleService, CandleBackfill, PricesService],
})
export class CandlesModule {}
