import { requireConfigSection } from '@bourse/platform';
import { Module } from '@nestjs/common';
import { AccountRepository } from './account.repository';
import { AccountsService } from './accounts.service';
import { InvariantsRepository } from './invariants.repository';
import { KeyedTransfersService } from './keyed-transfers.service';
import { LEDGER_CONFIG } from './ledger.config';
import { StatementsService } from './statements.service';
import { TransferEngine } from './transfer-engine';
import { TransferRepository } from './transfer.repository';
import { TransfersService } from './transfers.service';

/**
 * The double-entry ledger. Needs only what the platform provides globally (Database, APP_CONFIG,
 * with the app's config composing LEDGER_CONFIG).
 */
@Module({
  providers: [
    requireConfigSection(LEDGER_CONFIG),
    AccountsService,
    TransfersService,
    KeyedTransfersService,
    StatementsService,
    TransferEngine,
    AccountRepository,
    TransferRepository,
    InvariantsRepository,
  ],
  exports: [AccountsService, TransfersService, KeyedTransfersService, StatementsService],
})
export class LedgerModule {}
