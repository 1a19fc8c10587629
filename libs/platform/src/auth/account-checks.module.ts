import { Module } from '@nestjs/common';
import { AccountChecks } from './account-checks';

/** AccountChecks alone, for a lib whose service applies the step-up rule itself. */
@Module({ providers: [AccountChecks], exports: [AccountChecks] })
export class AccountChecksModule {}
