export { Idempotent, type IdempotentOptions } from './idempotent.decorator';
export { IdempotentCall, IdempotentReplay } from './idempotent-call';
export {
  IDEMPOTENCY_KEY_HEADER,
  IdempotencyKeyMismatchError,
  IdempotentRequestInProgressError,
  InvalidIdempotencyKeyError,
} from './idempotency.errors';
export { IdempotencyInterceptor } from './idempotency.interceptor';
export { IdempotencyModule } from './idempotency.module';
export {
  toStoredKey,
  type KeyRow,
  type StoredKey,
  type StoredResponse,
} from './idempotency.repository';
export {
  IdempotencyService,
  storedAnswer,
  type IdempotencyClaim,
  type IdempotencyLock,
  type IdempotentRequest,
} from './idempotency.service';
