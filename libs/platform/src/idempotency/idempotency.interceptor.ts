import {
  Injectable,
  Logger,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { lastValueFrom, map, of, type Observable } from 'rxjs';
import { principalKey } from '../auth/principal';
import { pathOf } from '../http/request-path';
import { InvalidIdempotencyKeyError } from './idempotency.errors';
import type { StoredResponse } from './idempotency.repository';
import { IdempotencyService, type IdempotentRequest } from './idempotency.service';
import { IDEMPOTENT_ATOMIC, IdempotentReplay } from './idempotent-call';
import { requestHash } from './request-hash';

/** Headers of the first response that a replay repeats; the rest (request id, limits) are per request. */
const REPLAYED_HEADERS = ['location', 'content-location'];

/** Sends a stored response again: its status and headers here, its body returned. */
function replay(reply: FastifyReply, response: StoredResponse): unknown {
  void reply
    .status(response.status)
    .headers({ ...response.headers, 'idempotent-replayed': 'true' });

  return response.body;
}

/** Runs an @Idempotent() handler at most once per (caller, Idempotency-Key). */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  private readonly logger = new Logger('Idempotency');

  constructor(
    private readonly idempotency: IdempotencyService,
    private readonly reflector: Reflector,
  ) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    const key = request.headers['idempotency-key'];
    if (key === undefined) {
      return next.handle();
    }
    if (typeof key !== 'string' || key.length === 0 || key.length > 255) {
      throw new InvalidIdempotencyKeyError();
    }
    const path = pathOf(request.url);
    const call: IdempotentRequest = {
      scope: principalKey(request.principal),
      key,
      method: request.method,
      path,
      requestHash: requestHash(request.method, path, request.body),
    };
    if (this.reflector.get<boolean>(IDEMPOTENT_ATOMIC, context.getHandler())) {
      request.idempotentCall = call;

      return next
        .handle()
        .pipe(
          map((body) => (body instanceof IdempotentReplay ? replay(reply, body.response) : body)),
        );
    }
    const claim = await this.idempotency.claim(call);
    if (claim.outcome === 'replay') {
      return of(replay(reply, claim.response));
    }

    let body: unknown;
    try {
      // Validation pipes run inside next.handle(), so a rejected body releases the key too.
      body = await lastValueFrom(next.handle(), { defaultValue: undefined });
    } catch (error) {
      // If the release fails the row stays in_progress until its lock goes stale: still safe.
      await this.idempotency
        .release(claim.lock)
        .catch((releaseError: unknown) =>
          this.logger.warn({ msg: 'idempotency key release failed', err: releaseError }),
        );
      throw error;
    }
    // Nest sets the route's status before interceptors run and does not reset it afterwards.
    await this.idempotency
      .complete(claim.lock, {
        status: reply.statusCode,
        body,
        headers: Object.fromEntries(
          REPLAYED_HEADERS.flatMap((name) => {
            const value = reply.getHeader(name);

            return typeof value === 'string' ? [[name, value]] : [];
          }),
        ),
      })
      // The handler's work is done and committed: the caller gets its answer, not an error. The
      // key stays in_progress (retries get 409) until its lock goes stale and a retry runs again.
      .catch((error: unknown) =>
        this.logger.warn({ msg: 'idempotency response not stored', key, err: error }),
      );

    return of(body);
  }
}
