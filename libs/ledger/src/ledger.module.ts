import { Module } from '@nestjs/common';
import { AccountRepository } from './account.repository';
import { InvariantsRepository } from './invariants.repository';
import { LedgerService } from './ledger.service';
import { TransferEngine } from './transfer-engine';
import { TransferRepository } from './transfer.repository';

/** The double-entry ledger. Needs only what the platform provides globally (Database, APP_CONFIG). */
@Module({
  providers: [
    LedgerService,
    TransferEngine,
    AccountRepository,
    TransferRepository,
    InvariantsRepository,
  ],
  exports: [LedgerService],
})
export class LedgerModule {}
