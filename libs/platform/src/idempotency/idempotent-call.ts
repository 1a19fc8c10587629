import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { StoredResponse } from './idempotency.repository';

/** A request carrying an Idempotency-Key, as the handler stores it with its own write. */
export interface IdempotentRequest {
  /** The caller: `user:<id>`, `apikey:<id>`, or `ip:<address>` on a public route without credentials. */
  scope: string;
  key: string;
  method: string;
  path: string;
  requestHash: string;
  /** The status the route answers with (stored with the body). */
  status: number;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the idempotency interceptor on `@Idempotent()` routes when the request has a key. */
    idempotentCall?: IdempotentRequest;
  }
}

/**
 * What a keyed call answers: the stored response, which the interceptor sends as these exact bytes
 * the first time and on every replay (`Idempotent-Replayed: true`). `value` is the first answer
 * as the handler made it, for interceptors that count what was done; a replay has none.
 */
export class IdempotentResponse<T = unknown> {
  constructor(
    readonly response: StoredResponse,
    readonly replayed: boolean,
    readonly value?: T,
  ) {}

  /** The same answer with its value mapped (a domain object to its DTO); the bytes stay. */
  map<U>(fn: (value: T) => U): IdempotentResponse<U> {
    return new IdempotentResponse(
      this.response,
      this.replayed,
      this.value === undefined ? undefined : fn(this.value),
    );
  }
}

/**
 * The request's key, scope, body hash and status on an `@Idempotent()` route, for the handler to
 * pass to IdempotencyService (or its own statement); undefined when the request carries no key.
 */
export const IdempotentCall = createParamDecorator(
  (_data: unknown, context: ExecutionContext): IdempotentRequest | undefined =>
    context.switchToHttp().getRequest<FastifyRequest>().idempotentCall,
);
