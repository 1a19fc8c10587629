import { KycModule } from '@bourse/kyc';
import { LedgerModule } from '@bourse/ledger';
import { CandlesModule } from '@bourse/market-data';
import { AccountChecksModule, requireConfigSection } from '@bourse/platform';
import { Module } from '@nestjs/common';
import { TRADING_CONFIG } from './trading.config';
import { TradingRepository } from './trading.repository';
import { TradingService } from './trading.service';

/**
 * Metal trading on locked quotes. Needs what the platform provides globally (Database,
 * APP_CONFIG with TRADING_CONFIG composed, Redis, idempotency); prices from market-data's
 * PricesService, settlement through the ledger, the tier and limits from KYC's gate.
 */
@Module({
  imports: [LedgerModule, CandlesModule, KycModule, AccountChecksModule],
  providers: [requireConfigSection(TRADING_CONFIG), TradingService, TradingRepository],
  exports: [TradingService],
})
export class TradingModule {}
