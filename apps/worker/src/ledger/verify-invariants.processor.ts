import {
  invariantReportJson,
  LEDGER_QUEUE,
  LedgerJob,
  LedgerMetrics,
  StatementsService,
  violationsByCheck,
  type VerifyInvariantsJob,
} from '@bourse/ledger';
import { TracedJob } from '@bourse/platform';
import { Process, Processor } from '@nestjs/bull';
import { Logger } from '@nestjs/common';
import type { Job } from 'bull';

@Processor(LEDGER_QUEUE)
export class VerifyInvariantsProcessor {
  private readonly logger = new Logger('LedgerInvariants');

  constructor(
    private readonly statements: StatementsService,
    private readonly metrics: LedgerMetrics,
  ) {}

  /**
   * Sets `bourse_ledger_invariant_violations` (the chart pages on it) in the worker that ran the
   * check; each run overwrites every check's value, so a fixed ledger reads 0 at the next run.
   */
  @Process(LedgerJob.VerifyInvariants)
  @TracedJob()
  async handle(_job: Job<VerifyInvariantsJob>): Promise<{ ok: boolean; violations: number }> {
    const report = await this.statements.verifyInvariants();
    const violations = this.metrics.invariantsChecked(report);
    if (violations > 0) {
      // The runbook greps for "invariant": ids of every offending account and transfer are here.
      this.logger.error({
        msg: 'ledger invariant violation',
        violations: violationsByCheck(report),
        report: invariantReportJson(report),
      });
    } else {
      this.logger.log({ msg: 'ledger invariants hold', accountsChecked: report.accountsChecked });
    }

    return { ok: violations === 0, violations };
  }
}
