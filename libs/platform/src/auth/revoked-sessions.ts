import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { Gauge } from 'prom-client';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { Database } from '../database/database';
import { MetricsService } from '../observability/metrics.service';
import { RefreshTokenRepository } from './refresh-token.repository';

/**
 * How far before the last poll each poll reads: a revoking transaction stamps `revoked_at` with
 * its start time and may commit after a poll has read past it (they are short, so a minute is
 * ample), and the database's clock may differ from this process's.
 */
const LOOKBACK_MS = 120_000;

/**
 * Sessions that have just ended, for what outlives a request (open sockets). `here`: this process
 * ended them; otherwise it has just read them. `userId`: the user was disabled, so everything of
 * theirs goes, sessions that had already expired included.
 */
export interface EndedSessions {
  sessionIds: string[];
  userId?: string;
  here: boolean;
}

/**
 * Sessions (refresh-token families) ended within the access-token TTL: a logout, a password
 * change, an admin disabling the user, a stolen refresh token. Their access tokens are refused
 * although unexpired. Held in memory so the AuthGuard asks nothing per request; Postgres holds
 * the truth (`refresh_tokens.revoked_at`), read at boot and then every AUTH_REVOCATION_POLL_MS,
 * so an ended session stops everywhere within that interval (at once on the instance ending it).
 * A session revoked longer ago than the TTL is forgotten: its access tokens have all expired.
 */
@Injectable()
export class RevokedSessions implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('RevokedSessions');
  /** Session id → when it ended (ms since the epoch). */
  private readonly endedAt = new Map<string, number>();
  private readonly listeners: ((ended: EndedSessions) => void)[] = [];
  private polledAt: number | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly db: Database,
    private readonly refreshTokens: RefreshTokenRepository,
    // Absent in CLI commands, which serve no requests and export no metrics.
    @Optional() metrics?: MetricsService,
  ) {
    if (metrics) {
      const age = (): number =>
        this.polledAt === undefined ? 0 : (Date.now() - this.polledAt) / 1000;
      new Gauge({
        name: 'auth_revocations_age_seconds',
        help: 'Seconds since this process last read the sessions ended elsewhere; access tokens of sessions ended since are still accepted here.',
        registers: [metrics.registry],
        collect() {
          this.set(age());
        },
      });
    }
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.poll();
    this.timer = setInterval(() => {
      this.poll().catch((error: unknown) =>
        // Sign-in and refresh need the database too: while it is away, the set only ages.
        this.logger.warn({ msg: 'could not read revoked sessions', err: error }),
      );
    }, this.config.auth.revocationPollMs);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  isRevoked(sessionId: string): boolean {
    return this.endedAt.has(sessionId);
  }

  /** Called with the sessions this process ends and those it learns were ended elsewhere. */
  onEnded(listener: (ended: EndedSessions) => void): void {
    this.listeners.push(listener);
  }

  /** Sessions this process has just ended (their transaction committed); `userId` if all of theirs. */
  add(sessionIds: string[], userId?: string): void {
    const now = Date.now();
    sessionIds.forEach((id) => this.endedAt.set(id, now));
    this.notify({ sessionIds, userId, here: true });
  }

  /** Reads the revocations since the last poll (the whole TTL at first) and forgets old ones. */
  async poll(): Promise<void> {
    const now = Date.now();
    const ttlMs = this.config.auth.accessTtlSeconds * 1000;
    const since = (this.polledAt ?? now - ttlMs) - LOOKBACK_MS;
    const revoked = await this.refreshTokens.revokedSince(this.db.manager, new Date(since));
    const learned = revoked.filter(({ familyId }) => !this.endedAt.has(familyId));
    learned.forEach(({ familyId, revokedAt }) => this.endedAt.set(familyId, revokedAt.getTime()));
    this.polledAt = now;
    const forgetBefore = now - ttlMs - LOOKBACK_MS;
    for (const [id, endedAt] of this.endedAt) {
      if (endedAt < forgetBefore) {
        this.endedAt.delete(id);
      }
    }
    this.notify({ sessionIds: learned.map((row) => row.familyId), here: false });
  }

  /** A listener's failure must not fail the logout or poll that has already committed. */
  private notify(ended: EndedSessions): void {
    if (ended.sessionIds.length === 0 && !ended.userId) {
      return;
    }
    for (const listener of this.listeners) {
      try {
        listener(ended);
      } catch (error) {
        this.logger.error({ msg: 'ended-session listener failed', err: error });
      }
    }
  }
}
