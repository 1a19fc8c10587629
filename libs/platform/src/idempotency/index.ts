export { Idempotent } from './idempotent.decorator';
export {
  IDEMPOTENCY_KEY_HEADER,
  IdempotencyKeyMismatchError,
  IdempotentRequestInProgressError,
  InvalidIdempotencyKeyError,
} from './idempotency.errors';
export { IdempotencyInterceptor } from './idempotency.interceptor';
export { IdempotencyModule } from './idempotency.module';
export {
  IdempotencyService,
  type IdempotencyClaim,
  type IdempotencyLock,
  type IdempotentRequest,
} from './idempotency.service';
