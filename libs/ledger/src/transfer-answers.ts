import {
  AccountFrozenError,
  AccountNotFoundError,
  AssetMismatchError,
  BalanceOverflowError,
  InsufficientFundsError,
  InvalidTransferError,
  TransferConflictError,
} from './ledger.errors';
import type { Transfer, TransferInput } from './ledger.types';
import type { PostOutcome } from './transfer.repository';
import { invalidReason, sameTransfer } from './transfer-rules';

/** Refuses a transfer that is malformed on its own, before any SQL. */
export function checkTransfer(input: TransferInput): void {
  const reason = invalidReason(input);
  if (reason) {
    throw new InvalidTransferError(`Transfer ${String(input.id)}: ${reason}`);
  }
}

/** The transfer a post function created or found, or the error for what it refused. */
export function answerPosted(input: TransferInput, posted: PostOutcome): Transfer {
  switch (posted.outcome) {
    case 'created':
      return posted.transfer;
    case 'exists':
      if (!sameTransfer(posted.transfer, input)) {
        throw new TransferConflictError(input.id);
      }

      return posted.transfer;
    case 'account_not_found':
      throw new AccountNotFoundError(posted.missingAccount);
    case 'asset_mismatch':
      throw new AssetMismatchError(
        `Transfer ${input.id} in ${input.asset} between a ${posted.debitAsset} and a ${posted.creditAsset} account`,
      );
    case 'insufficient_funds':
      throw new InsufficientFundsError(input.debitAccountId);
    case 'balance_overflow':
      throw new BalanceOverflowError(input.id);
    case 'debit_frozen':
      throw new AccountFrozenError(input.debitAccountId);
    case 'credit_frozen':
      throw new AccountFrozenError(input.creditAccountId);
  }
}
