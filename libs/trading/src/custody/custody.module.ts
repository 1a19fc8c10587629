import { LedgerModule } from '@bourse/ledger';
import { requireConfigSection } from '@bourse/platform';
import { Module } from '@nestjs/common';
import { TRADING_CONFIG } from '../trading.config';
import { CustodianClient } from './custodian.client';
import { CustodyMetrics } from './custody.metrics';
import { CustodyRepository } from './custody.repository';
import { CustodyService } from './custody.service';

/** Custody of the users' metal: instructions and reconciliation (the worker's), the admin list. */
@Module({
  imports: [LedgerModule],
  providers: [
    requireConfigSection(TRADING_CONFIG),
    CustodianClient,
    CustodyRepository,
    CustodyService,
  ],
  exports: [CustodyService, CustodyRepository],
})
export class CustodyModule {}

/** The worker's part: the custody gauge beside the jobs' service. */
@Module({ imports: [CustodyModule], providers: [CustodyMetrics], exports: [CustodyModule] })
export class CustodyWorkerModule {}
