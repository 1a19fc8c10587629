import { Injectable, type ExecutionContext } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerLimitDetail } from '@nestjs/throttler';
import { RateLimitExceededError } from './rate-limit.errors';

/** Throttler's guard answering with our problem document instead of its HttpException. */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  // The guard has already put Retry-After on the reply; the problem filter keeps reply headers.
  protected override throwThrottlingException(
    _context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    return Promise.reject(new RateLimitExceededError(detail.timeToBlockExpire));
  }
}
