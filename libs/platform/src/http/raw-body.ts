import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyRequest, RawServerDefault } from 'fastify';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Set by `@KeepRawBody()`; the JSON parser reads it per request. */
    keepRawBody?: boolean;
  }
  interface FastifyRequest {
    /** The JSON body's bytes, on `@KeepRawBody()` routes only. */
    rawBody?: Buffer;
  }
}

type JsonParser = (
  request: FastifyRequest,
  body: Buffer,
  done: (error: Error | null, body?: unknown) => void,
) => void;

/**
 * The route keeps its JSON body's exact bytes (for a provider's signature check), readable with
 * `@RawBody()`. Other routes do not hold a second copy of every body.
 */
export const KeepRawBody = (): MethodDecorator => RouteConfig({ keepRawBody: true });

/** The request's body bytes as received; undefined unless the route has `@KeepRawBody()`. */
export const RawBody = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Buffer | undefined =>
    context.switchToHttp().getRequest<FastifyRequest>().rawBody,
);

/**
 * Replaces the JSON parser Nest would register with the same one (Fastify's, refusing prototype
 * poisoning, under the configured body limit) that also keeps the bytes for routes that asked.
 * Must run before the app initializes, which is when Nest registers its own.
 */
export function useJsonParserKeepingRawBody(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  const { bodyLimit } = fastify.initialConfig;
  // Typed for a string, but it parses a Buffer too (Nest's own parser hands it one).
  const parseJson = fastify.getDefaultJsonParser('error', 'error') as unknown as JsonParser;
  app.useBodyParser<RawServerDefault>('application/json', { bodyLimit }, (request, body, done) => {
    if (request.routeOptions.config.keepRawBody === true) {
      request.rawBody = body;
    }
    parseJson(request, body, done);
  });
}
