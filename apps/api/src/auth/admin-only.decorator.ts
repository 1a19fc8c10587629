import { Roles } from '@bourse/platform';
import { applyDecorators } from '@nestjs/common';
import { ApiForbiddenResponse, ApiTags } from '@nestjs/swagger';

/**
 * Signed-in admins only (API keys refused): the access rule of the /v1/admin routes. A route's own
 * @Roles opens it to other roles too (`support`, `compliance`).
 */
export const AdminOnly = (): ClassDecorator =>
  applyDecorators(
    ApiTags('admin'),
    Roles('admin'),
    ApiForbiddenResponse({
      description:
        '`auth.forbidden`: admins only (and the roles a route names); API keys are refused.',
    }),
  );
