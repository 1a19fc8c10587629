import { BadRequestException, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyRequest, RawServerDefault } from 'fastify';
import { parse as parseQuery } from 'node:querystring';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Set by `@KeepRawBody()`; the JSON parser reads it per request. */
    keepRawBody?: boolean;
  }
  interface FastifyRequest {
    /** The JSON or form body's bytes, on `@KeepRawBody()` routes only. */
    rawBody?: Buffer;
  }
}

type JsonParser = (
  request: FastifyRequest,
  body: Buffer,
  done: (error: Error | null, body?: unknown) => void,
) => void;

/**
 * The route keeps its JSON or form body's exact bytes (for a provider's signature check), readable with
 * `@RawBody()`. Other routes do not hold a second copy of every body.
 */
export const KeepRawBody = (): MethodDecorator => RouteConfig({ keepRawBody: true });

/** The request's body bytes as received; undefined unless the route has `@KeepRawBody()`. */
export const RawBody = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Buffer | undefined =>
    context.switchToHttp().getRequest<FastifyRequest>().rawBody,
);

/**
 * Replaces the JSON and form parsers Nest would register with the same ones (Fastify's JSON
 * parser, refusing prototype poisoning, under the configured body limit) that also keep the bytes
 * for routes that asked.
 * Must run before the app initializes, which is when Nest registers its own.
 */
export function useBodyParsersKeepingRawBody(app: NestFastifyApplication): void {
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
  // Form bodies too (Twilio signs its form-encoded callbacks), parsed as Nest's default parser
  // does: repeated names become arrays, and a `__proto__` name is refused.
  app.useBodyParser<RawServerDefault>(
    'application/x-www-form-urlencoded',
    { bodyLimit },
    (request, body, done) => {
      if (request.routeOptions.config.keepRawBody === true) {
        request.rawBody = body;
      }
      const parsed = parseQuery(body.toString('utf8'));
      if (Object.hasOwn(parsed, '__proto__')) {
        done(new BadRequestException('Object contains forbidden prototype property'));

        return;
      }
      done(null, parsed);
    },
  );
}
