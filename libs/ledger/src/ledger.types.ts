/** Why an account exists; only system kinds may be flagged `allowNegative`. */
export const ACCOUNT_KINDS = [
  'user_wallet',
  'house',
  'fees',
  'psp_clearing',
  'aggregator_float',
  'custodian',
] as const;
export type AccountKind = (typeof ACCOUNT_KINDS)[number];

export type TransferStatus = 'pending' | 'posted' | 'voided';

/** At most this many transfers per `transferMany` call (TigerBeetle's batch size idea). */
export const MAX_BATCH_SIZE = 1000;

export interface Asset {
  code: string;
  /** Decimal places of the minor unit: USD 2 (cents), XAU 3 (milligrams of a gram). */
  scale: number;
  name: string;
}

export interface CreateAccountInput {
  /** Chosen by the caller to make creation idempotent; a UUIDv7 is generated when absent. */
  id?: string;
  asset: string;
  /** A user id, or a system name such as `system:house`. */
  owner: string;
  kind: AccountKind;
  /** Only system accounts (house, fees, clearing, float) may go below zero; their balance is sharded. */
  allowNegative?: boolean;
  metadata?: Record<string, unknown>;
}

export interface Account {
  id: string;
  asset: string;
  owner: string;
  kind: AccountKind;
  allowNegative: boolean;
  /** Balance sub-rows; 1 for user accounts. */
  shards: number;
  metadata: Record<string, unknown>;
  createdAt: Date;
  /** Set while the account is frozen: no transfer may debit or credit it. */
  frozenAt: Date | null;
}

/**
 * Balances are credit-normal: a credit raises the balance, a debit lowers it. Minor units.
 * posted = creditsPosted - debitsPosted; pending = creditsPending - debitsPending (net holds);
 * available = posted - debitsPending (incoming pending credits are not spendable yet).
 */
export interface Balance {
  debitsPosted: bigint;
  creditsPosted: bigint;
  debitsPending: bigint;
  creditsPending: bigint;
  posted: bigint;
  pending: bigint;
  available: bigint;
}

export interface AccountWithBalance extends Account {
  balance: Balance;
}

export interface TransferInput {
  /** Chosen by the caller (UUID): retrying with the same id and fields is safe. */
  id: string;
  debitAccountId: string;
  creditAccountId: string;
  /** Minor units of `asset`, > 0. */
  amount: bigint;
  asset: string;
  /** Business reason, e.g. `deposit`, `order.capture`, `fee`. */
  code: string;
  metadata?: Record<string, unknown>;
  /** Two-phase: reserve now, `post` or `void` later. */
  pending?: boolean;
  /** Pending only: after this many seconds the worker voids the hold. */
  timeoutSeconds?: number;
}

/** A batch member; `linked: true` chains it with the next one (all or nothing). */
export interface BatchTransferInput extends TransferInput {
  linked?: boolean;
}

export interface Transfer {
  id: string;
  debitAccountId: string;
  creditAccountId: string;
  asset: string;
  /** Created amount (the hold, for a two-phase transfer). */
  amount: bigint;
  /** What was actually moved once posted (≤ amount); undefined unless posted. */
  postedAmount?: bigint;
  code: string;
  metadata: Record<string, unknown>;
  status: TransferStatus;
  /** Created as two-phase (pending), whatever its status is now. */
  pending: boolean;
  timeoutSeconds?: number;
  timeoutAt?: Date;
  createdAt: Date;
  postedAt?: Date;
  voidedAt?: Date;
}

/** Error codes a batch member can be answered with. */
export type TransferErrorCode =
  | 'ledger.invalid_transfer'
  | 'ledger.account_not_found'
  | 'ledger.asset_mismatch'
  | 'ledger.insufficient_funds'
  | 'ledger.balance_overflow'
  | 'ledger.account_frozen'
  | 'ledger.id_conflict'
  | 'ledger.linked_failed'
  | 'ledger.linked_chain_open';

/** One answer per batch member, in input order. */
export type TransferResult =
  | { id: string; ok: true; result: 'created' | 'already_exists'; transfer: Transfer }
  | { id: string; ok: false; result: TransferErrorCode; message: string };

export interface StatementEntry {
  /** Journal line id; also the keyset of statement pages. */
  id: string;
  transferId: string;
  accountId: string;
  asset: string;
  side: 'debit' | 'credit';
  /** Positive minor units. */
  amount: bigint;
  /** Posted balance of the account right after this line. */
  balanceAfter: bigint;
  code: string;
  metadata: Record<string, unknown>;
  createdAt: Date;
}

export interface AccountPage {
  accounts: AccountWithBalance[];
  /** Pass back to get the next page; absent on the last page. */
  nextCursor?: string;
}

export interface TransferPage {
  transfers: Transfer[];
  /** Pass back to get the next (older) page; absent on the last page. */
  nextCursor?: string;
}

export interface StatementPage {
  entries: StatementEntry[];
  /** Pass back to get the next (older) page; absent on the last page. */
  nextCursor?: string;
}

/** What `verifyInvariants` found; `ok` is true only when every list is empty. */
export interface InvariantReport {
  ok: boolean;
  checkedAt: Date;
  accountsChecked: number;
  /** Per asset, the balances (posted and pending) summed over all accounts must be zero. */
  unbalancedAssets: { asset: string; posted: bigint; pending: bigint; entries: bigint }[];
  /** Each account's posted balance must equal the sum of its entries. */
  balanceEntryMismatches: { accountId: string; balance: bigint; entries: bigint }[];
  /** Each account's pending sides must equal the sums of its pending transfers. */
  pendingMismatches: {
    accountId: string;
    debitsPending: bigint;
    expectedDebitsPending: bigint;
    creditsPending: bigint;
    expectedCreditsPending: bigint;
  }[];
  /** Transfers whose account is unknown or holds another asset (transfers have no FKs). */
  orphanTransfers: { transferId: string; debitAccountId: string; creditAccountId: string }[];
  /** Journal lines that do not match their transfer (unknown, not one of its accounts, other asset). */
  misfiledEntries: { entryId: string; transferId: string; accountId: string }[];
  /** Accounts not allowed to go negative whose posted or available balance is below zero. */
  negativeAccounts: { accountId: string; posted: bigint; available: bigint }[];
  /** Pending transfers past their timeout by more than the sweeper's grace period. */
  expiredPending: { transferId: string; timeoutAt: Date }[];
}
