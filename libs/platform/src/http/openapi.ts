import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, getSchemaPath, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { PROBLEM_CONTENT_TYPE } from '../errors/problem';
import { FieldProblemDto, ProblemDto } from '../errors/problem.dto';

/** Every operation can fail these ways, whatever its controller declares. */
const COMMON_PROBLEMS: Record<string, string> = {
  '400': '`validation.failed`: the body, query or a header is invalid; `errors` names each field.',
  '429': '`rate_limit.exceeded`: slow down; the Retry-After header says for how long.',
  '500': '`internal`: unexpected; quote the requestId when reporting it.',
  '503':
    '`service.unavailable`: the database or Redis is momentarily busy or unreachable; retry after ' +
    'the Retry-After header, with the same Idempotency-Key.',
};

/**
 * Gives every 4xx/5xx response the problem+json schema, so the generated client types errors.
 * Controllers only describe which codes a status carries.
 */
function documentProblems(document: OpenAPIObject): void {
  const content = { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: getSchemaPath(ProblemDto) } } };
  for (const path of Object.values(document.paths)) {
    for (const operation of [path.get, path.put, path.post, path.delete, path.patch]) {
      if (!operation) {
        continue;
      }
      for (const [status, description] of Object.entries(COMMON_PROBLEMS)) {
        operation.responses[status] ??= { description };
      }
      for (const [status, response] of Object.entries(operation.responses)) {
        if (Number(status) >= 400 && response && 'description' in response) {
          response.content = content;
        }
      }
    }
  }
}

/** The OpenAPI document, generated from the controllers and DTOs (never written by hand). */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Bourse API')
    .setDescription(
      'REST API of Bourse. Errors are RFC 9457 `application/problem+json` documents with a stable ' +
        '`code`; money amounts are integer minor units as decimal strings; ids are UUIDv7.',
    )
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, 'bearer')
    .addApiKey(
      {
        type: 'apiKey',
        in: 'header',
        name: 'Authorization',
        description: '`ApiKey <id>.<secret>`',
      },
      'apiKey',
    )
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    extraModels: [ProblemDto, FieldProblemDto],
    operationIdFactory: (controllerKey, methodKey) =>
      `${controllerKey.replace(/Controller$/, '')}_${methodKey}`,
  });
  documentProblems(document);

  return document;
}
