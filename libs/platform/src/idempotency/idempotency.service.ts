import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { Database, type Tx } from '../database/database';
import {
  IdempotencyKeyMismatchError,
  IdempotentRequestInProgressError,
} from './idempotency.errors';
import {
  IdempotencyRepository,
  type StoredKey,
  type StoredResponse,
} from './idempotency.repository';
import { IdempotentResponse, type IdempotentRequest } from './idempotent-call';

/** What a request finds under a key already stored: the answer to replay, or 422 for another request. */
export function storedAnswer(existing: StoredKey, requestHash: string): StoredResponse {
  if (existing.requestHash !== requestHash) {
    throw new IdempotencyKeyMismatchError();
  }

  return existing.response;
}

const PURGE_BATCH = 1000;

/**
 * Idempotency-Key bookkeeping (Stripe's semantics), always in the transaction of the call's own
 * write: the key's lock, its lookup, the work and the stored answer commit together, so a key is
 * never stored for work that rolled back, nor work committed without its key.
 */
@Injectable()
export class IdempotencyService {
  constructor(
    private readonly db: Database,
    private readonly keys: IdempotencyRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Runs `work` in a transaction of its own; with a key (`call`, from @IdempotentCall()), under
   * it, as runInTransaction does. The usual body of an @Idempotent() route's service method.
   */
  transaction<T>(
    call: IdempotentRequest | undefined,
    work: (tx: Tx) => Promise<T>,
  ): Promise<T | IdempotentResponse<T>> {
    return this.db.transaction(undefined, (tx): Promise<T | IdempotentResponse<T>> =>
      call ? this.runInTransaction(tx, call, () => work(tx)) : work(tx),
    );
  }

  /**
   * Runs `work` in `tx` under the key's lock and stores its answer (the JSON text the interceptor
   * then sends) in the same transaction. A key already stored is answered with its stored response
   * (or 422 for another request) without running `work`; one in use by a running call is a 409.
   * `tx` must be READ COMMITTED (each statement sees keys committed before the lock was taken).
   */
  async runInTransaction<T>(
    tx: Tx,
    call: IdempotentRequest,
    work: () => Promise<T>,
  ): Promise<IdempotentResponse<T>> {
    if (!(await this.keys.tryLock(tx, call.scope, call.key))) {
      throw new IdempotentRequestInProgressError();
    }
    const existing = await this.keys.find(tx, call.scope, call.key);
    if (existing) {
      return new IdempotentResponse(storedAnswer(existing, call.requestHash), true);
    }
    const value = await work();
    const response = {
      status: call.status,
      body: value === undefined ? null : JSON.stringify(value),
    };
    if (!(await this.keys.store(tx, call, response, this.config.idempotency.ttlHours))) {
      // A live key appeared without its lock (see idempotency_store): the work rolls back.
      throw new IdempotentRequestInProgressError();
    }

    return new IdempotentResponse(response, false, value);
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
