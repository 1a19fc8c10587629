import { applyDecorators, SetMetadata, UseInterceptors } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import { IDEMPOTENCY_KEY_HEADER } from './idempotency.errors';
import { IdempotencyInterceptor } from './idempotency.interceptor';
import { IDEMPOTENT_ATOMIC } from './idempotent-call';

export interface IdempotentOptions {
  /**
   * The handler stores the key itself, in the statement or transaction of its own write, so the
   * key and the change commit together: it takes the call with @IdempotentCall() and returns an
   * IdempotentReplay for a key already answered (see ledger_post_transfer_once). Without it, the
   * interceptor claims the key before the handler and stores the response after it, each in a
   * statement of its own.
   */
  atomic?: boolean;
}

/**
 * Opts a POST route into Idempotency-Key handling: a retry with the same key and body gets the
 * first response again (`Idempotent-Replayed: true`) instead of running the handler twice.
 */
export const Idempotent = (options: IdempotentOptions = {}): MethodDecorator & ClassDecorator =>
  applyDecorators(
    SetMetadata(IDEMPOTENT_ATOMIC, options.atomic ?? false),
    UseInterceptors(IdempotencyInterceptor),
    ApiHeader({
      name: IDEMPOTENCY_KEY_HEADER,
      required: false,
      description:
        'Chosen by the client, unique per operation (e.g. a UUID). Retrying with the same key and ' +
        'body replays the first response; the same key with another body is refused (422).',
      schema: { type: 'string', minLength: 1, maxLength: 255 },
    }),
  );
