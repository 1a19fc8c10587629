import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import {
  LogController,
  type FastifyReply,
  type FastifyRequest,
  type HTTPMethods,
  type preValidationHookHandler,
} from 'fastify';
import type { Logger } from 'pino';
import type { AppConfig } from '../config/config';
import { AccessLog } from '../logging/access-log';
import { SocketTraceInterceptor } from '../telemetry/socket-spans';
import { REQUEST_TRACE_IDS, tracingEnabled, type TraceIds } from '../telemetry/trace-context';
import { createValidationPipe, RequestValidationError } from '../errors/validation';
import { ProblemFilter, sendProblem, toProblem } from '../errors/problem.filter';
import { MetricsService } from '../observability/metrics.service';
import { ShutdownState } from '../observability/shutdown.state';
import { buildOpenApiDocument } from './openapi';
import { CorsPolicy } from './cors';
import { jsonBodyProblems } from './json-body-limits';
import { malformedPathParameters, parameterProblems } from './request-text';
import { useBodyParsersKeepingRawBody } from './raw-body';
import { requestIdFor } from './request-id';
import { isOperationalPath, pathOf } from './request-path';
import {
  API_HEADERS,
  DOCS_HEADERS,
  isPagePath,
  isWebAppPath,
  webAppHeaders,
} from './security-headers';

const refuseUnstorableText: preValidationHookHandler = (request, _reply, done) => {
  const problems = [
    ...parameterProblems(request.url, request.params as Record<string, string | undefined>),
    ...(request.body === undefined ? [] : jsonBodyProblems(request.body)),
  ];
  done(problems.length > 0 ? new RequestValidationError(problems) : undefined);
};

/**
 * Fastify with our logger, request ids, proxy trust, body limit, and every response's fixed
 * headers and CORS, including the answers Fastify gives before routing (malformed URLs,
 * over-long path parameters), which no hook sees.
 */
export function createFastifyAdapter(
  config: AppConfig,
  logger: Logger,
  webConnectSrc: readonly string[] = [],
): FastifyAdapter {
  const headers = responseHeaders(config, webConnectSrc);
  const adapter = new FastifyAdapter({
    loggerInstance: logger,
    // One "request completed" line per request is written by configureHttpApp's onResponse hook.
    logController: new LogController({
      disableRequestLogging: true,
      requestIdLogLabel: 'requestId',
    }),
    genReqId: requestIdFor,
    // Fastify also accepts a hop count here; Nest's option type omits it.
    trustProxy: config.http.trustProxy as boolean | string[],
    bodyLimit: config.http.bodyLimitBytes,
    keepAliveTimeout: config.http.keepAliveTimeoutMs,
    frameworkErrors: (error: Error, request: FastifyRequest, reply: FastifyReply) => {
      if (!headers(request, reply)) {
        sendProblem(reply, request, toProblem(namedBadUrl(adapter, request) ?? error));
      }
    },
  });
  adapter.getInstance().addHook('onRequest', (request, reply, done) => {
    if (!headers(request, reply)) {
      done();
    }
  });

  return adapter;
}

/**
 * A URL Fastify cannot decode, as a validation problem naming the path parameters at fault when
 * the URL still routes with them replaced (a lone surrogate's bytes in an id, say).
 */
function namedBadUrl(
  adapter: FastifyAdapter,
  request: FastifyRequest,
): RequestValidationError | undefined {
  const problems = malformedPathParameters(
    pathOf(request.url),
    (path) =>
      adapter.getInstance().findRoute({ method: request.method as HTTPMethods, url: path })?.params,
  );

  return problems.length > 0 ? new RequestValidationError(problems) : undefined;
}

/**
 * Sets the fixed security headers, the request id and CORS on a reply; true when that answered
 * a CORS preflight (the reply is sent). One function, so every response is alike and each
 * request pays for one hook. Responses vary by Origin, as an allowed one is reflected.
 */
function responseHeaders(
  config: AppConfig,
  webConnectSrc: readonly string[],
): (request: FastifyRequest, reply: FastifyReply) => boolean {
  const apiHeaders = { ...API_HEADERS, vary: 'Origin' };
  const docsHeaders = { ...DOCS_HEADERS, vary: 'Origin' };
  const webApp = { ...webAppHeaders(webConnectSrc), vary: 'Origin' };
  const cors = new CorsPolicy(config.http.corsOrigins);

  return (request, reply) => {
    void reply
      .headers(
        isPagePath(request.url) ? docsHeaders : isWebAppPath(request.url) ? webApp : apiHeaders,
      )
      .header('x-request-id', request.id);

    return cors.answer(request, reply);
  };
}

/** Everything both apps' HTTP servers share: hooks, pipes, errors, docs. */
export async function configureHttpApp(
  app: NestFastifyApplication,
  options: { docs: boolean },
): Promise<void> {
  const fastify = app.getHttpAdapter().getInstance();
  const metrics = app.get(MetricsService);
  const shutdown = app.get(ShutdownState);

  // Once shutdown begins, keep-alive clients are told to reconnect (to another replica): a
  // connection kept open after its in-flight request would hold the server's close until timeout.
  fastify.addHook('onSend', (_request, reply, payload, done) => {
    if (shutdown.isShuttingDown) {
      void reply.header('connection', 'close');
    }
    done(null, payload);
  });
  const accessLog = new AccessLog(fastify.log as Logger);
  fastify.addHook('onResponse', (request, reply, done) => {
    const path = pathOf(request.url);
    const route = request.routeOptions.url ?? 'unmatched';
    if (!isOperationalPath(path)) {
      metrics.observeHttp(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
    }
    accessLog.completed({
      requestId: request.id,
      method: request.method,
      url: path,
      route,
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime),
      trace: (request as FastifyRequest & { [REQUEST_TRACE_IDS]?: TraceIds })[REQUEST_TRACE_IDS],
    });
    done();
  });

  // Before Nest's pipeline (guards, the idempotency hash, pipes) sees a request: text Postgres
  // cannot store as sent, and bodies our walks should not follow, are refused naming each field.
  fastify.addHook('onRoute', (route) => {
    route.preValidation = [[route.preValidation ?? []].flat(), refuseUnstorableText].flat();
  });

  useBodyParsersKeepingRawBody(app);
  app.useGlobalPipes(createValidationPipe());
  if (tracingEnabled()) {
    app.useGlobalInterceptors(new SocketTraceInterceptor());
  }
  app.useGlobalFilters(new ProblemFilter());

  if (options.docs) {
    SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app), {
      jsonDocumentUrl: 'openapi.json',
      raw: ['json'],
    });
  }
}
