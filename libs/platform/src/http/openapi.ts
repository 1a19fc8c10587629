import { ParseUUIDPipe, type INestApplication, type Type } from '@nestjs/common';
import { METHOD_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { ModulesContainer, Reflector } from '@nestjs/core';
import { DocumentBuilder, getSchemaPath, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import type {
  OperationObject,
  ParameterObject,
} from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { accessRulesOf, type AccessRules } from '../auth/auth.guard';
import { PROBLEM_CONTENT_TYPE } from '../errors/problem';
import { FieldProblemDto, ProblemDto } from '../errors/problem.dto';

/** Every operation can fail these ways, whatever its controller declares. */
const COMMON_PROBLEMS: Record<string, string> = {
  '400':
    '`validation.failed`: the body, query, a path parameter or a header is invalid; `errors` names each field.',
  '429': '`rate_limit.exceeded`: slow down; the Retry-After header says for how long.',
  '500': '`internal`: unexpected; quote the requestId when reporting it.',
  '503':
    '`service.unavailable`: the database or Redis is momentarily busy or unreachable; retry after ' +
    'the Retry-After header, with the same Idempotency-Key.',
};
/** What Fastify answers before any controller runs, where the request can provoke it. */
const BODY_PROBLEMS: Record<string, string> = {
  '413': '`http.payload_too_large`: the body is over BODY_LIMIT_BYTES.',
  '415': '`http.unsupported_media_type`: the body is not `application/json`.',
};
/** What the guard answers on every route that takes credentials. */
const ACCESS_PROBLEMS: Record<string, string> = {
  '401':
    '`auth.unauthenticated`: no credentials; `auth.invalid_token`: a token or API key that is not ' +
    'valid (unknown, revoked, expired key, ended session); `auth.token_expired`: the access token ' +
    'expired, refresh it.',
  '403':
    '`auth.forbidden`: valid credentials that this operation does not admit (see who may call it).',
};
const PATH_PROBLEMS: Record<string, string> = {
  '414': '`http.uri_too_long`: a path parameter is longer than the router accepts.',
};

const OPERATION_ID = (controllerKey: string, methodKey: string): string =>
  `${controllerKey.replace(/Controller$/, '')}_${methodKey}`;

interface RouteFacts {
  access: AccessRules;
  /** Path parameters the route parses with ParseUUIDPipe. */
  uuidParams: Set<string>;
}

/** What the guard and the pipes of each controller method enforce, by operation id. */
function routeFacts(app: INestApplication): Map<string, RouteFacts> {
  const reflector = app.get(Reflector);
  const facts = new Map<string, RouteFacts>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const { metatype } of module.controllers.values()) {
      const controller = metatype as Type;
      for (const method of Object.getOwnPropertyNames(controller.prototype)) {
        const handler = (controller.prototype as Record<string, unknown>)[method];
        if (typeof handler !== 'function' || !Reflect.hasMetadata(METHOD_METADATA, handler)) {
          continue;
        }
        const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, method) ?? {}) as Record<
          string,
          { data?: unknown; pipes?: unknown[] }
        >;
        const uuidParams = Object.entries(args)
          .filter(([key, arg]) => {
            const isParam = key.startsWith(`${RouteParamtypes.PARAM}:`);

            return isParam && arg.pipes?.some((pipe) => pipe instanceof ParseUUIDPipe);
          })
          .map(([, arg]) => String(arg.data));
        facts.set(OPERATION_ID(controller.name, method), {
          access: accessRulesOf(reflector, controller, handler),
          uuidParams: new Set(uuidParams),
        });
      }
    }
  }

  return facts;
}

/** "the role `a`", "one of the roles `a`, `b` or `c`". */
function rolesInWords(roles: string[]): string {
  const named = roles.map((role) => `\`${role}\``);

  return named.length === 1
    ? `the role ${named[0]}`
    : `one of the roles ${named.slice(0, -1).join(', ')} or ${named.at(-1)}`;
}

/** Who may call a route, in words, from the same rules the guard applies. */
export function describeAccess({ isPublic, roles, scopes }: AccessRules): string {
  if (isPublic) {
    return 'Anyone, without credentials (credentials sent anyway are checked: a bad token is a 401).';
  }
  const users = !roles
    ? 'Any signed-in user'
    : roles.length === 0
      ? 'No signed-in user'
      : `Signed-in users with ${rolesInWords(roles)}`;
  if (!scopes) {
    return `${users}; API keys are refused (403).`;
  }
  const keys =
    scopes.length === 0
      ? 'any API key'
      : `API keys holding the scope${scopes.length > 1 ? 's' : ''} ${scopes.map((s) => `\`${s}\``).join(' and ')}`;

  return `${users}, or ${keys}.`;
}

/**
 * Completes each operation from what the server enforces, so the document cannot drift from it:
 * security and a "who may call it" line from the guard's rules, `format: uuid` on ids that
 * ParseUUIDPipe checks, the errors Fastify itself answers, and every error listed in the
 * description with its meaning.
 */
function documentOperations(document: OpenAPIObject, facts: Map<string, RouteFacts>): void {
  const content = { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: getSchemaPath(ProblemDto) } } };
  for (const path of Object.values(document.paths)) {
    for (const operation of [path.get, path.put, path.post, path.delete, path.patch]) {
      if (!operation) {
        continue;
      }
      const route = facts.get(operation.operationId!);
      if (!route) {
        throw new Error(`No controller method for the operation ${operation.operationId}`);
      }
      const parameters = (operation.parameters ?? []) as ParameterObject[];
      const problems = {
        ...COMMON_PROBLEMS,
        ...(route.access.isPublic ? {} : ACCESS_PROBLEMS),
        ...(operation.requestBody ? BODY_PROBLEMS : {}),
        ...(parameters.some((p) => p.in === 'path') ? PATH_PROBLEMS : {}),
      };
      for (const [status, description] of Object.entries(problems)) {
        operation.responses[status] ??= { description };
      }
      for (const [status, response] of Object.entries(operation.responses)) {
        if (Number(status) >= 400 && response && 'description' in response) {
          response.content = content;
        }
      }
      for (const parameter of parameters) {
        if (parameter.in === 'path' && route.uuidParams.has(parameter.name)) {
          parameter.schema = { type: 'string', format: 'uuid' };
        }
      }
      documentAccess(operation, route.access);
      operation.description = [
        operation.description,
        `**Who may call it:** ${describeAccess(route.access)}`,
        `**Errors:**\n${errorList(operation)}`,
      ]
        .filter(Boolean)
        .join('\n\n');
    }
  }
}

function documentAccess(
  operation: OperationObject,
  { isPublic, roles, scopes, verifiedEmail, stepUp }: AccessRules,
): void {
  operation.security = isPublic ? [] : [{ bearer: [] }, ...(scopes ? [{ apiKey: [] }] : [])];
  Object.assign(
    operation,
    roles ? { 'x-roles': roles } : {},
    scopes ? { 'x-api-key-scopes': scopes } : {},
    verifiedEmail || stepUp ? { 'x-verified-email': true } : {},
    stepUp ? { 'x-step-up': true } : {},
  );
}

function errorList(operation: OperationObject): string {
  return Object.entries(operation.responses)
    .filter(([status]) => Number(status) >= 400)
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(
      ([status, response]) => `- ${status}: ${(response as { description: string }).description}`,
    )
    .join('\n');
}

/** The OpenAPI document, generated from the controllers, DTOs and guards (never written by hand). */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Bourse API')
    .setDescription(
      'REST API of Bourse. Errors are RFC 9457 `application/problem+json` documents with a stable ' +
        '`code`; money amounts are integer minor units as decimal strings; ids are UUIDv7. Each ' +
        'operation says who may call it: `security` lists the credentials it takes, `x-roles` the ' +
        'user roles it admits and `x-api-key-scopes` the scopes an API key needs; `x-verified-email` ' +
        'that users need a verified e-mail and `x-step-up` a recent second factor (POST /v1/me/step-up).',
    )
    .setVersion('1')
    .setLicense('MIT', 'https://opensource.org/license/mit')
    .addServer('/', 'The api that serves this document (`/openapi.json`)')
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description: 'An access token from `POST /v1/auth/login` or `/v1/auth/refresh`.',
      },
      'bearer',
    )
    .addApiKey(
      {
        type: 'apiKey',
        in: 'header',
        name: 'Authorization',
        description: '`ApiKey <id>.<secret>`, from `POST /v1/admin/api-keys`.',
      },
      'apiKey',
    )
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    extraModels: [ProblemDto, FieldProblemDto],
    operationIdFactory: OPERATION_ID,
  });
  documentOperations(document, routeFacts(app));

  return document;
}
