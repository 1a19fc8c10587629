/** The ledger's queue: housekeeping that keeps holds and balances honest. */
export const LEDGER_QUEUE = 'ledger';

export const LedgerJob = {
  VoidExpiredHolds: 'ledger.void-expired-holds',
  VerifyInvariants: 'ledger.verify-invariants',
} as const;

/** `bucket` is the start of the schedule's time bucket (ISO), the job id's business key. */
export interface VoidExpiredHoldsJob {
  bucket: string;
}

/** `bucket` is the start of the schedule's time bucket (ISO), the job id's business key. */
export interface VerifyInvariantsJob {
  bucket: string;
}
