import { DomainError } from '@bourse/platform';
import type { TransferErrorCode, TransferStatus } from './ledger.types';

/** A ledger error a batch member can be answered with (its code is a `TransferErrorCode`). */
export abstract class TransferError extends DomainError {
  abstract override readonly code: TransferErrorCode;
}

export class InvalidTransferError extends TransferError {
  readonly code = 'ledger.invalid_transfer';
  readonly status = 422;
  constructor(detail: string) {
    super(detail);
  }
}

export class AccountNotFoundError extends TransferError {
  readonly code = 'ledger.account_not_found';
  readonly status = 404;
  constructor(readonly accountId: string) {
    super(`Account ${accountId} does not exist`);
    this.extensions.accountId = accountId;
  }
}

export class AssetMismatchError extends TransferError {
  readonly code = 'ledger.asset_mismatch';
  readonly status = 422;
  constructor(detail: string) {
    super(detail);
  }
}

export class InsufficientFundsError extends TransferError {
  readonly code = 'ledger.insufficient_funds';
  readonly status = 422;
  constructor(readonly accountId: string) {
    super(`Account ${accountId} lacks available funds`);
    this.extensions.accountId = accountId;
  }
}

/** A counter of an account's balance would pass 2^63-1 minor units (a bigint column's limit). */
export class BalanceOverflowError extends TransferError {
  readonly code = 'ledger.balance_overflow';
  readonly status = 422;
  constructor(readonly transferId: string) {
    super(`Transfer ${transferId} would take an account balance past 2^63-1 minor units`);
    this.extensions.transferId = transferId;
  }
}

/** The account is frozen (see freezeAccount): no transfer may debit or credit it. */
export class AccountFrozenError extends TransferError {
  readonly code = 'ledger.account_frozen';
  readonly status = 422;
  constructor(readonly accountId: string) {
    super(`Account ${accountId} is frozen`);
    this.extensions.accountId = accountId;
  }
}

/** The id is taken by a transfer with different fields. */
export class TransferConflictError extends TransferError {
  readonly code = 'ledger.id_conflict';
  readonly status = 409;
  constructor(readonly transferId: string) {
    super(`Transfer ${transferId} already exists with different fields`);
    this.extensions.transferId = transferId;
  }
}

export class LinkedFailedError extends TransferError {
  readonly code = 'ledger.linked_failed';
  readonly status = 422;
  constructor(readonly transferId: string) {
    super(`Transfer ${transferId} was not applied: another transfer of its linked chain failed`);
    this.extensions.transferId = transferId;
  }
}

export class LinkedChainOpenError extends TransferError {
  readonly code = 'ledger.linked_chain_open';
  readonly status = 422;
  constructor() {
    super('The last transfer of the batch is linked: its chain is never closed');
  }
}

export class BatchTooLargeError extends DomainError {
  readonly code = 'ledger.batch_too_large';
  readonly status = 422;
  constructor(size: number, max: number) {
    super(`A batch holds at most ${max} transfers, got ${size}`);
  }
}

export class AssetNotFoundError extends DomainError {
  readonly code = 'ledger.asset_not_found';
  readonly status = 422;
  constructor(asset: string) {
    super(`Asset ${asset} is not known to the ledger`);
    this.extensions.asset = asset;
  }
}

export class InvalidAccountError extends DomainError {
  readonly code = 'ledger.invalid_account';
  readonly status = 422;
  /** `field`: the request field at fault (`owner`, `allowNegative`, …), when there is one. */
  constructor(detail: string, field?: string) {
    super(detail);
    if (field) {
      this.extensions.field = field;
    }
  }
}

/** The user has a wallet in this asset already, under another id: one per user and asset. */
export class WalletExistsError extends DomainError {
  readonly code = 'ledger.wallet_exists';
  readonly status = 409;
  constructor(owner: string, asset: string) {
    super(`User ${owner} already has a ${asset} wallet`);
    this.extensions.field = 'owner';
    this.extensions.owner = owner;
    this.extensions.asset = asset;
  }
}

/** The account id is taken by an account with different fields. */
export class AccountConflictError extends DomainError {
  readonly code = 'ledger.account_conflict';
  readonly status = 409;
  constructor(accountId: string) {
    super(`Account ${accountId} already exists with different fields`);
    this.extensions.accountId = accountId;
  }
}

export class TransferNotFoundError extends DomainError {
  readonly code = 'ledger.transfer_not_found';
  readonly status = 404;
  constructor(transferId: string) {
    super(`Transfer ${transferId} does not exist`);
    this.extensions.transferId = transferId;
  }
}

/** post/void of a transfer that is not (or no longer) pending in a way that allows it. */
export class TransferStateError extends DomainError {
  readonly code = 'ledger.transfer_state';
  readonly status = 409;
  constructor(transferId: string, status: TransferStatus, detail: string) {
    super(`Transfer ${transferId} is ${status}: ${detail}`);
    this.extensions.transferId = transferId;
    this.extensions.transferStatus = status;
  }
}

export class PendingExpiredError extends DomainError {
  readonly code = 'ledger.pending_expired';
  readonly status = 409;
  constructor(transferId: string, timeoutAt: Date) {
    super(`Pending transfer ${transferId} timed out at ${timeoutAt.toISOString()}`);
    this.extensions.transferId = transferId;
    this.extensions.timeoutAt = timeoutAt.toISOString();
  }
}

export class InvalidCursorError extends DomainError {
  readonly code = 'ledger.invalid_cursor';
  readonly status = 400;
  constructor() {
    super('The cursor is not one this API returned');
  }
}
