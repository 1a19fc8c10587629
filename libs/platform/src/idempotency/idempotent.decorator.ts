import { applyDecorators, UseInterceptors } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import { IDEMPOTENCY_KEY_HEADER } from './idempotency.errors';
import { IdempotencyInterceptor } from './idempotency.interceptor';

/**
 * Opts a POST route into Idempotency-Key handling: a retry with the same key and body gets the
 * first response again, byte for byte (`Idempotent-Replayed: true`), instead of running twice.
 * The handler takes the call with @IdempotentCall() and runs its write through
 * IdempotencyService.transaction (or runInTransaction), which stores the key in that transaction.
 */
export const Idempotent = (): MethodDecorator & ClassDecorator =>
  applyDecorators(
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
