import { Injectable, type ExecutionContext } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerLimitDetail } from '@nestjs/throttler';
import type { FastifyRequest } from 'fastify';
import { isOperationalPath, pathOf } from '../http/request-path';
import { RateLimitExceededError } from './rate-limit.errors';

const ALLOWED = Promise.resolve(true);

/**
 * Throttler's guard answering with our problem document instead of its HttpException. Probes
 * and scrapes are never refused, and are let through before the throttler reads any route
 * metadata; gateways are limited elsewhere.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  override canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') {
      return ALLOWED;
    }
    const { url } = context.switchToHttp().getRequest<FastifyRequest>();

    return isOperationalPath(pathOf(url)) ? ALLOWED : super.canActivate(context);
  }

  // The guard has already put Retry-After on the reply; the problem filter keeps reply headers.
  protected override throwThrottlingException(
    _context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    return Promise.reject(new RateLimitExceededError(detail.timeToBlockExpire));
  }
}
