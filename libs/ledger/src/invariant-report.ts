import type { InvariantReport } from './ledger.types';

/** The invariant checks, as the `check` label of `bourse_ledger_invariant_violations`. */
export const INVARIANT_CHECKS = {
  unbalanced_assets: (r: InvariantReport) => r.unbalancedAssets.length,
  balance_entry_mismatches: (r: InvariantReport) => r.balanceEntryMismatches.length,
  pending_mismatches: (r: InvariantReport) => r.pendingMismatches.length,
  orphan_transfers: (r: InvariantReport) => r.orphanTransfers.length,
  misfiled_entries: (r: InvariantReport) => r.misfiledEntries.length,
  negative_accounts: (r: InvariantReport) => r.negativeAccounts.length,
  expired_pending: (r: InvariantReport) => r.expiredPending.length,
} as const;

export type InvariantCheck = keyof typeof INVARIANT_CHECKS;

/** Violations per check; each list of the report is a bounded sample, so large counts are floors. */
export function violationsByCheck(report: InvariantReport): Record<InvariantCheck, number> {
  return Object.fromEntries(
    Object.entries(INVARIANT_CHECKS).map(([check, count]) => [check, count(report)]),
  ) as Record<InvariantCheck, number>;
}

/** The report as plain JSON (bigints as decimal strings), for logs and the CLI. */
export function invariantReportJson(report: InvariantReport): Record<string, unknown> {
  return JSON.parse(
    JSON.stringify(report, (_key, value: unknown) =>
      typeof value === 'bigint' ? value.toString() : value,
    ),
  ) as Record<string, unknown>;
}
