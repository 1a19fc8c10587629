import { SetMetadata } from '@nestjs/common';

export const AUTH_RATE_LIMIT = 'bourse:auth-rate-limit';

/**
 * Applies the stricter `rateLimit.authPerMinute` (sign-in, sign-up, token refresh) instead of the
 * default limit. Only a marker: the throttler's limit resolver reads the configured value per
 * request, since decorators run at import time, before any config exists.
 */
export const AuthRateLimit = (): ClassDecorator & MethodDecorator =>
  SetMetadata(AUTH_RATE_LIMIT, true);
