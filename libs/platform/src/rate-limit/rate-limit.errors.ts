import { DomainError } from '../errors/domain.error';

export class RateLimitExceededError extends DomainError {
  readonly code = 'rate_limit.exceeded';
  readonly status = 429;

  constructor(readonly retryAfterSeconds: number) {
    super(`Too many requests; retry after ${retryAfterSeconds} s`);
    this.extensions.retryAfter = retryAfterSeconds;
  }
}
