import {
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { map, type Observable } from 'rxjs';
import { principalKey } from '../auth/principal';
import { pathOf } from '../http/request-path';
import { InvalidIdempotencyKeyError } from './idempotency.errors';
import { IdempotentResponse } from './idempotent-call';
import { requestHash } from './request-hash';

/**
 * Whose key it is: the principal, or on a public route without credentials the client address
 * (as the rate limits resolve it), so two anonymous callers' keys never meet.
 */
const scopeOf = (request: FastifyRequest): string =>
  request.principal ? principalKey(request.principal) : `ip:${request.ip}`;

/** Sends a stored answer: its status, and its body as the exact JSON text stored. */
function send(reply: FastifyReply, answer: IdempotentResponse): string | undefined {
  void reply.status(answer.response.status);
  if (answer.replayed) {
    void reply.header('idempotent-replayed', 'true');
  }
  if (answer.response.body === null) {
    return undefined;
  }
  void reply.type('application/json; charset=utf-8');

  return answer.response.body;
}

/**
 * On an @Idempotent() route, checks the Idempotency-Key and hands the call to the handler
 * (@IdempotentCall()), which stores its key with its own write (IdempotencyService); sends the
 * IdempotentResponse the handler returns.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
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
    request.idempotentCall = {
      scope: scopeOf(request),
      key,
      method: request.method,
      path,
      requestHash: requestHash(request.method, path, request.body),
      // Nest sets the route's status before interceptors run.
      status: reply.statusCode,
    };

    return next
      .handle()
      .pipe(map((answer) => (answer instanceof IdempotentResponse ? send(reply, answer) : answer)));
  }
}
