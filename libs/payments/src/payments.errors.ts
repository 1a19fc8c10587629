import { DomainError } from '@bourse/platform';
import type { DeclineCode, PaymentState } from './payments.types';

/** No such payment, or the caller may not see it: the same answer, so ids cannot be probed. */
export class PaymentNotFoundError extends DomainError {
  readonly code = 'payments.payment_not_found';
  readonly status = 404;
  constructor(paymentId: string) {
    super(`Payment ${paymentId} does not exist`);
    this.extensions.paymentId = paymentId;
  }
}

export class UnknownPurposeError extends DomainError {
  readonly code = 'payments.unknown_purpose';
  readonly status = 422;
  constructor(purpose: string) {
    super(`No lib declares the payment purpose ${purpose}`);
    this.extensions.field = 'purpose';
  }
}

/** The operation is not possible in the payment's state (capture after cancel, say). */
export class PaymentStateError extends DomainError {
  readonly code = 'payments.invalid_state';
  readonly status = 409;
  constructor(paymentId: string, state: PaymentState, operation: string) {
    super(`Payment ${paymentId} is ${state}; it cannot ${operation}`);
    this.extensions.paymentId = paymentId;
    this.extensions.state = state;
  }
}

/** More than is left to capture, or to refund (the sum of refunds never passes the captures). */
export class AmountTooLargeError extends DomainError {
  readonly code = 'payments.amount_too_large';
  readonly status = 422;
  constructor(operation: 'capture' | 'refund', available: bigint) {
    super(`At most ${available} minor units are left to ${operation}`);
    this.extensions.field = 'amount';
    this.extensions.available = available.toString();
  }
}

/** The provider declined the payment; `declineCode` is normalised across providers. */
export class PaymentDeclinedError extends DomainError {
  readonly code = 'payments.declined';
  readonly status = 402;
  constructor(declineCode: DeclineCode, retryable: boolean) {
    super(`The payment was declined: ${declineCode}`);
    this.extensions.declineCode = declineCode;
    this.extensions.retryable = retryable;
  }
}

/** The provider refused the request itself (its state disagrees with ours, say). */
export class ProviderRefusedError extends DomainError {
  readonly code = 'payments.provider_refused';
  readonly status = 409;
  constructor(provider: string, message: string) {
    super(`${provider} refused the request: ${message}`);
    this.extensions.provider = provider;
  }
}

/** The provider (or the network to it) failed; the call can be retried. */
export class ProviderUnavailableError extends DomainError {
  readonly code = 'payments.provider_unavailable';
  readonly status = 503;
  constructor(provider: string) {
    super(`${provider} did not answer`);
    this.extensions.provider = provider;
  }
}

/** No such payout, or the caller may not see it: the same answer, so ids cannot be probed. */
export class PayoutNotFoundError extends DomainError {
  readonly code = 'payments.payout_not_found';
  readonly status = 404;
  constructor(payoutId: string) {
    super(`Payout ${payoutId} does not exist`);
    this.extensions.payoutId = payoutId;
  }
}

export class ReconRunNotFoundError extends DomainError {
  readonly code = 'payments.reconciliation_not_found';
  readonly status = 404;
  constructor(runId: string) {
    super(`Reconciliation run ${runId} does not exist`);
    this.extensions.runId = runId;
  }
}
