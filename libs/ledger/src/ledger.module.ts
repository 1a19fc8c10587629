import { requireConfigSection } from '@bourse/platform';
import { Module } from '@nestjs/common';
import { AccountRepository } from './account.repository';
import { InvariantsRepository } from './invariants.repository';
import { LEDGER_CONFIG } from './ledger.config';
import { LedgerService } from './ledger.service';
import { TransferEngine } from './transfer-engine';
import { TransferRepository } from './transfer.repository';

/**
 * The double-entry ledger. Needs only what the platform provides globally (Database, APP_CONFIG,
 * with the app's config composing LEDGER_CONFIG).
 */
@Module({
  providers: [
    requireConfigSection(LEDGER_CONFIG),
    LedgerService,
    TransferEngine,
    AccountRepository,
    TransferRepository,
    InvariantsRepository,
  ],
  exports: [LedgerService],
})
export class LedgerModule {}
