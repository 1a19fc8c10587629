import { AuditModule } from '@bourse/platform';
import { Module } from '@nestjs/common';
import { LedgerAdminService } from './ledger-admin.service';
import { LedgerMetricsModule } from './ledger.metrics';
import { LedgerModule } from './ledger.module';
import { WalletsService } from './wallets.service';

/** What the api's ledger routes need: the admin and wallet views over the ledger, its metrics. */
@Module({
  imports: [LedgerModule, LedgerMetricsModule, AuditModule],
  providers: [WalletsService, LedgerAdminService],
  exports: [LedgerMetricsModule, WalletsService, LedgerAdminService],
})
export class LedgerApiModule {}
