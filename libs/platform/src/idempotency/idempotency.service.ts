import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { Database, type Tx } from '../database/database';
import { newId } from '../database/ids';
import {
  IdempotencyKeyMismatchError,
  IdempotentRequestInProgressError,
} from './idempotency.errors';
import { MicroBatcher } from '../database/micro-batcher';
import { IdempotentReplay } from './idempotent-call';
import {
  IdempotencyRepository,
  type Completion,
  type NewKey,
  type StoredKey,
  type StoredResponse,
} from './idempotency.repository';

/**
 * What a request finds under a key that is already stored: the response to replay, or the refusal
 * (another body: 422; its first request still running: 409).
 */
export function storedAnswer(existing: StoredKey, requestHash: string): StoredResponse {
  if (existing.requestHash !== requestHash) {
    throw new IdempotencyKeyMismatchError();
  }
  if (existing.state === 'in_progress') {
    throw new IdempotentRequestInProgressError();
  }

  return existing.response;
}

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
 * the handler's transaction, so a concurrent duplicate sees the in_progress row at once. Claims
 * and completions made in the same event-loop turn share one statement (and one commit).
 */
@Injectable()
export class IdempotencyService {
  private readonly logger = new Logger('Idempotency');
  private readonly claims = new MicroBatcher<NewKey, boolean>((keys) => this.claimBatch(keys));
  private readonly completions = new MicroBatcher<Completion, boolean>(async (batch) => {
    const completed = await this.keys.completeMany(this.db.manager, batch);

    return batch.map((completion) => completed.has(completion.lockId));
  });

  constructor(
    private readonly db: Database,
    private readonly keys: IdempotencyRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Claims the key for a first request, or answers a repeat with its stored response. */
  async claim(request: IdempotentRequest): Promise<IdempotencyClaim> {
    const lock = { scope: request.scope, key: request.key, lockId: newId() };
    // A second pass covers a row released (its request failed) between the two statements.
    for (let attempt = 0; attempt < 2; attempt++) {
      if (await this.claims.run({ ...request, ...lock })) {
        return { outcome: 'claimed', lock };
      }
      const existing = await this.keys.find(this.db.manager, request.scope, request.key);
      if (existing) {
        return { outcome: 'replay', response: storedAnswer(existing, request.requestHash) };
      }
    }
    throw new IdempotentRequestInProgressError();
  }

  /**
   * An atomic @Idempotent route whose handler writes in one transaction: runs `work` in `tx`
   * under the key's lock and stores its answer (`status`, the body it returns) in the same
   * transaction, so the key and the change commit together. A key already stored is answered
   * with an IdempotentReplay (or 422 for another request); one in use by a running call is a 409.
   */
  async runInTransaction<T>(
    tx: Tx,
    call: IdempotentRequest,
    status: number,
    work: () => Promise<T>,
  ): Promise<T | IdempotentReplay> {
    if (!(await this.keys.tryLock(tx, call.scope, call.key))) {
      throw new IdempotentRequestInProgressError();
    }
    const existing = await this.keys.find(tx, call.scope, call.key);
    if (existing) {
      return new IdempotentReplay(storedAnswer(existing, call.requestHash));
    }
    const body = await work();
    const response = { status, body, headers: {} };
    if (!(await this.keys.insertCompleted(tx, call, response, this.config.idempotency.ttlHours))) {
      // The generic path claimed the key since the lookup: the caller's transaction rolls back.
      throw new IdempotentRequestInProgressError();
    }

    return body;
  }

  async complete(lock: IdempotencyLock, response: StoredResponse): Promise<void> {
    if (!(await this.completions.run({ ...lock, response }))) {
      this.logger.warn({ msg: 'idempotency lock was taken over before completion', ...lock });
    }
  }

  /** The handler failed and its transaction rolled back, so the same key may be retried. */
  async release(lock: IdempotencyLock): Promise<void> {
    await this.keys.release(this.db.manager, lock.scope, lock.key, lock.lockId);
  }

  /**
   * One statement for a turn's claims. A key repeated within the turn is claimed once: its
   * duplicates lose, then find the winner's in_progress row like any concurrent duplicate.
   */
  private async claimBatch(keys: NewKey[]): Promise<boolean[]> {
    const first = new Map<string, NewKey>();
    for (const k of keys) {
      const id = JSON.stringify([k.scope, k.key]);
      if (!first.has(id)) {
        first.set(id, k);
      }
    }
    const claimed = await this.keys.claimMany(
      this.db.manager,
      [...first.values()],
      this.config.idempotency.ttlHours,
      STALE_LOCK_SECONDS,
    );

    return keys.map((k) => claimed.has(k.lockId));
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
