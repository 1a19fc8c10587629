import {
  invariantReportJson,
  LedgerModule,
  StatementsService,
  violationsByCheck,
} from '@bourse/ledger';
import { ConfigModule, DatabaseModule } from '@bourse/platform';
import { Module, type DynamicModule } from '@nestjs/common';
import { commandContext } from './context';
import type { CliConfig } from './cli.config';

@Module({})
class LedgerVerifyModule {
  static forConfig(config: CliConfig): DynamicModule {
    return {
      module: LedgerVerifyModule,
      imports: [ConfigModule.forRoot(config), DatabaseModule, LedgerModule],
    };
  }
}

/** Raised when a check fails; its message is the whole report, so the CLI prints it and exits 1. */
export class LedgerViolationsError extends Error {
  constructor(readonly report: string) {
    super(report);
    this.name = 'LedgerViolationsError';
  }
}

/**
 * Runs the ledger's invariant checks once (the worker's scheduled check, on demand) and answers
 * the report; throws LedgerViolationsError carrying the report when anything is violated.
 */
export async function verifyLedger(config: CliConfig): Promise<string> {
  const app = await commandContext(LedgerVerifyModule.forConfig(config));
  try {
    const report = await app.get(StatementsService).verifyInvariants();
    const byCheck = violationsByCheck(report);
    const lines = [
      `ledger invariants ${report.ok ? 'hold' : 'VIOLATED'}: ${report.accountsChecked} accounts checked at ${report.checkedAt.toISOString()}`,
      ...Object.entries(byCheck).map(
        ([check, count]) => `  ${count === 0 ? 'ok  ' : 'FAIL'} ${check}: ${count}`,
      ),
    ];
    if (report.ok) {
      return lines.join('\n');
    }
    lines.push(JSON.stringify(invariantReportJson(report), null, 2));
    throw new LedgerViolationsError(lines.join('\n'));
  } finally {
    await app.close();
  }
}
