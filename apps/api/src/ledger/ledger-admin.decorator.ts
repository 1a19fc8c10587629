import { ApiKeyScopes, Roles } from '@bourse/platform';
import { applyDecorators } from '@nestjs/common';
import { ApiForbiddenResponse, ApiTags } from '@nestjs/swagger';

/** Admins, or API keys holding the `ledger` scope: the access rule of the ledger's admin routes. */
export const LedgerAdmin = (): ClassDecorator =>
  applyDecorators(
    ApiTags('ledger'),
    Roles('admin'),
    ApiKeyScopes('ledger'),
    ApiForbiddenResponse({
      description: '`auth.forbidden`: admins, or API keys with the `ledger` scope, only.',
    }),
  );
