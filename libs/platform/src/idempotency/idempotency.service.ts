import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { Database } from '../database/database';
import { newId } from '../database/ids';
import {
  IdempotencyKeyMismatchError,
  IdempotentRequestInProgressError,
} from './idempotency.errors';
import { IdempotencyRepository, type StoredResponse } from './idempotency.repository';

/** An in_progress lock older than this belongs to a process that died; its key may be retried. */
const STALE_LOCK_SECONDS = 5 * 60;
const PURGE_BATCH = 1000;

export interface IdempotentRequest {
  /** `principalKey(principal)`: two callers' identical keys never meet. */
  scope: string;
  key: string;
  method: string;
  path: string;
  requestHash: string;
}

/** Held while the handler runs; only its holder may complete or release the key. */
export interface IdempotencyLock {
  scope: string;
  key: string;
  lockId: string;
}

export type IdempotencyClaim =
  { outcome: 'claimed'; lock: IdempotencyLock } | { outcome: 'replay'; response: StoredResponse };

/**
 * Idempotency-Key bookkeeping (Stripe's semantics). Each statement commits on its own, outside
 * the handler's transaction, so a concurrent duplicate sees the in_progress row at once.
 */
@Injectable()
export class IdempotencyService {
  private readonly logger = new Logger('Idempotency');

  constructor(
    private readonly db: Database,
    private readonly keys: IdempotencyRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Claims the key for a first request, or answers a repeat with its stored response. */
  async claim(request: IdempotentRequest): Promise<IdempotencyClaim> {
    const lock = { scope: request.scope, key: request.key, lockId: newId() };
    const { ttlHours } = this.config.idempotency;
    // A second pass covers a row released (its request failed) between the two statements.
    for (let attempt = 0; attempt < 2; attempt++) {
      const tx = this.db.manager;
      if (await this.keys.claim(tx, { ...request, ...lock }, ttlHours, STALE_LOCK_SECONDS)) {
        return { outcome: 'claimed', lock };
      }
      const existing = await this.keys.find(tx, request.scope, request.key);
      if (!existing) {
        continue;
      }
      if (existing.requestHash !== request.requestHash) {
        throw new IdempotencyKeyMismatchError();
      }
      if (existing.state === 'in_progress') {
        throw new IdempotentRequestInProgressError();
      }

      return { outcome: 'replay', response: existing.response };
    }
    throw new IdempotentRequestInProgressError();
  }

  async complete(lock: IdempotencyLock, response: StoredResponse): Promise<void> {
    if (!(await this.keys.complete(this.db.manager, lock.scope, lock.key, lock.lockId, response))) {
      this.logger.warn({ msg: 'idempotency lock was taken over before completion', ...lock });
    }
  }

  /** The handler failed and its transaction rolled back, so the same key may be retried. */
  async release(lock: IdempotencyLock): Promise<void> {
    await this.keys.release(this.db.manager, lock.scope, lock.key, lock.lockId);
  }

  /** Deletes keys expired at `now`, in bounded batches; returns how many. Run by the worker. */
  async purgeExpired(now: Date = new Date()): Promise<number> {
    let total = 0;
    for (;;) {
      const deleted = await this.keys.deleteExpired(this.db.manager, now, PURGE_BATCH);
      total += deleted;
      if (deleted < PURGE_BATCH) {
        return total;
      }
    }
  }
}
