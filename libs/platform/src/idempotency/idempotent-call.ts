import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { StoredResponse } from './idempotency.repository';
import type { IdempotentRequest } from './idempotency.service';

/** Metadata `@Idempotent({ atomic: true })` sets on its handler. */
export const IDEMPOTENT_ATOMIC = 'bourse:idempotent-atomic';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the idempotency interceptor on `@Idempotent({ atomic: true })` routes with a key. */
    idempotentCall?: IdempotentRequest;
  }
}

/**
 * What an atomic @Idempotent handler returns when it found its key already answered: the
 * interceptor sends the stored response (status, headers, `Idempotent-Replayed: true`).
 */
export class IdempotentReplay {
  constructor(readonly response: StoredResponse) {}
}

/**
 * The request's key, scope and body hash on an `@Idempotent({ atomic: true })` route, for the
 * handler to store with its own write; undefined when the request carries no Idempotency-Key.
 */
export const IdempotentCall = createParamDecorator(
  (_data: unknown, context: ExecutionContext): IdempotentRequest | undefined =>
    context.switchToHttp().getRequest<FastifyRequest>().idempotentCall,
);
