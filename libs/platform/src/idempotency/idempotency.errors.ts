import { DomainError } from '../errors/domain.error';

export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';

export class InvalidIdempotencyKeyError extends DomainError {
  readonly code = 'idempotency.invalid_key';
  readonly status = 400;

  constructor() {
    super(`The ${IDEMPOTENCY_KEY_HEADER} header must be 1 to 255 characters`);
    this.extensions.header = IDEMPOTENCY_KEY_HEADER;
  }
}

export class IdempotencyKeyMismatchError extends DomainError {
  readonly code = 'idempotency.key_mismatch';
  readonly status = 422;

  constructor() {
    super(`This ${IDEMPOTENCY_KEY_HEADER} was already used for a different request; use a new key`);
  }
}

export class IdempotentRequestInProgressError extends DomainError {
  readonly code = 'idempotency.request_in_progress';
  readonly status = 409;

  constructor() {
    super(`A request with this ${IDEMPOTENCY_KEY_HEADER} is still being processed; retry later`);
  }
}
