import { Roles } from '@bourse/platform';
import { applyDecorators } from '@nestjs/common';
import { ApiForbiddenResponse, ApiTags } from '@nestjs/swagger';

/** Signed-in admins only (API keys refused): the access rule of the /v1/admin routes. */
export const AdminOnly = (): ClassDecorator =>
  applyDecorators(
    ApiTags('admin'),
    Roles('admin'),
    ApiForbiddenResponse({ description: '`auth.forbidden`: admins only; API keys are refused.' }),
  );
