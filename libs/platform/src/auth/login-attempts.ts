import { Inject, Injectable, Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { createHash } from 'node:crypto';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { REDIS } from '../redis/redis.module';
import { TooManyLoginAttemptsError } from './auth.errors';

/** Counts a failure and opens the window on the first one, atomically (no key left without one). */
const FAIL_SCRIPT = `
local failures = redis.call('INCR', KEYS[1])
if failures == 1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return failures
`;

interface AttemptsRedis extends Redis {
  loginFailed(key: string, windowMs: number): Promise<number>;
}

/**
 * Failed sign-ins per account, across every IP and replica: AUTH_MAX_FAILED_LOGINS failures within
 * the AUTH_LOCKOUT_SECONDS window that the first one opens lock the email out (429, whatever the
 * password) until that window ends, so a botnet cannot try passwords on one account at the
 * per-IP rate times its addresses. Unknown emails count alike,
 * so the answers reveal no accounts. The counter is Redis state that may be lost: while Redis is
 * away sign-in goes on, limited per IP only.
 */
@Injectable()
export class LoginAttempts {
  private readonly logger = new Logger('LoginAttempts');
  private readonly redis: AttemptsRedis;

  constructor(
    @Inject(REDIS) redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    redis.defineCommand('loginFailed', { numberOfKeys: 1, lua: FAIL_SCRIPT });
    this.redis = redis as AttemptsRedis;
  }

  /** Throws while the email is locked out; otherwise returns its failures so far. */
  async check(email: string): Promise<number> {
    const key = keyOf(email);
    const [counted, msLeft] = (await this.whileReachable(() =>
      Promise.all([this.redis.get(key), this.redis.pttl(key)]),
    )) ?? [null, 0];
    const failures = Number(counted);
    if (failures >= this.config.auth.maxFailedLogins && msLeft > 0) {
      throw new TooManyLoginAttemptsError(Math.ceil(msLeft / 1000));
    }

    return failures;
  }

  async failed(email: string): Promise<void> {
    await this.whileReachable(() =>
      this.redis.loginFailed(keyOf(email), this.config.auth.lockoutSeconds * 1000),
    );
  }

  /** A success clears the count: a user who mistyped a few times starts afresh. */
  async succeeded(email: string): Promise<void> {
    await this.whileReachable(() => this.redis.del(keyOf(email)));
  }

  // Not awaiting a Redis that is away (its commands would wait out the reconnect attempts).
  private async whileReachable<T>(command: () => Promise<T>): Promise<T | undefined> {
    if (this.redis.status !== 'ready') {
      return undefined;
    }
    try {
      return await command();
    } catch (error) {
      this.logger.warn({ msg: 'login attempt counter unavailable', err: error });

      return undefined;
    }
  }
}

/** The email's digest, not the email: Redis keys are no place for personal data. */
function keyOf(email: string): string {
  return `login-failures:${createHash('sha256').update(email).digest('base64url')}`;
}
