export { Idempotent } from './idempotent.decorator';
export { IdempotentCall, IdempotentResponse, type IdempotentRequest } from './idempotent-call';
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
export { IdempotencyService, storedAnswer } from './idempotency.service';
