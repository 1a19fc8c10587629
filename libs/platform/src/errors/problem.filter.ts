import {
  Catch,
  HttpException,
  Logger,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isTransientDatabaseError, uniqueViolationOf } from '../database/transient-errors';
import { isRedisUnavailableError } from '../redis/redis-errors';
import { pathOf } from '../http/request-path';
import { reportError } from '../telemetry/error-reporting';
import { DomainError } from './domain.error';
import { problem, PROBLEM_CONTENT_TYPE, type Problem } from './problem';
import { RequestValidationError } from './validation';

/** What a 503 asks clients to wait: long enough for a pool to free up or a failover to settle. */
const RETRY_AFTER_SECONDS = 1;

interface FastifyError {
  code?: string;
  statusCode?: number;
  message: string;
}

const httpCode = (status: number): string =>
  `http.${(HttpStatusName[status] ?? `status_${status}`).toLowerCase()}`;

const HttpStatusName: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  409: 'conflict',
  413: 'payload_too_large',
  414: 'uri_too_long',
  415: 'unsupported_media_type',
  422: 'unprocessable_entity',
  429: 'too_many_requests',
  500: 'internal',
  503: 'service_unavailable',
};

const isFastifyClientError = (error: unknown): error is FastifyError =>
  typeof error === 'object' &&
  error !== null &&
  typeof (error as FastifyError).code === 'string' &&
  (error as FastifyError).code!.startsWith('FST_') &&
  typeof (error as FastifyError).statusCode === 'number' &&
  (error as FastifyError).statusCode! < 500;

/** Maps any thrown error to an RFC 9457 document; nothing else ever leaves the api. */
export function toProblem(error: unknown): Problem {
  if (error instanceof DomainError) {
    return problem(error.status, error.code, error.message, { ...error.extensions });
  }
  if (error instanceof RequestValidationError) {
    return problem(400, 'validation.failed', error.message, { errors: error.fields });
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();

    return problem(status, httpCode(status), error.message);
  }
  const constraint = uniqueViolationOf(error);
  if (constraint !== undefined) {
    return problem(
      409,
      'conflict.unique_violation',
      'A resource with the same unique value already exists',
      { constraint: constraint || undefined },
    );
  }
  // Fastify's own client errors: malformed JSON, body too large, unsupported media type.
  if (isFastifyClientError(error)) {
    return problem(error.statusCode!, httpCode(error.statusCode!), error.message);
  }

  if (isTransientDatabaseError(error) || isRedisUnavailableError(error)) {
    return problem(
      503,
      'service.unavailable',
      'A dependency (the database or Redis) is busy or unreachable; retry shortly (with the same Idempotency-Key, if any)',
    );
  }

  return problem(
    500,
    'internal',
    'An unexpected error occurred; quote the request id when reporting it',
  );
}

export function sendProblem(reply: FastifyReply, request: FastifyRequest, body: Problem): void {
  if (body.status === 503) {
    void reply.header('retry-after', String(RETRY_AFTER_SECONDS));
  } else if (typeof body.retryAfter === 'number') {
    void reply.header('retry-after', String(body.retryAfter));
  }
  void reply
    .status(body.status)
    .header('content-type', PROBLEM_CONTENT_TYPE)
    .send({ ...body, instance: request.url, requestId: request.id });
}

@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(error: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') {
      throw error;
    }
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const body = toProblem(error);
    if (body.status >= 500) {
      this.logger.error({
        msg: 'request failed',
        err: error,
        requestId: request.id,
        method: request.method,
        // Like the request log, without the query string: it can carry tokens.
        url: pathOf(request.url),
      });
    }
    // A 503 is a dependency's outage, seen in metrics and alerts; a 500 is a bug to track.
    if (body.status === 500) {
      reportError(error, {
        requestId: request.id,
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
      });
    }
    sendProblem(reply, request, body);
  }
}
