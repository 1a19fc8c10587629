import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Principal } from './principal';
import { isRole, type Role } from './roles';

export const ROLES = 'bourse:roles';
export const API_KEY_SCOPES = 'bourse:api-key-scopes';

/**
 * Restricts signed-in users to these roles (any one of them). Applies to users only: API keys are
 * governed by @ApiKeyScopes alone. A method's @Roles replaces its controller's. A role nobody
 * declared (defineRole) fails when the decorator runs, so a typo never locks everyone out.
 */
export function Roles(...roles: Role[]): ClassDecorator & MethodDecorator {
  const unknown = roles.filter((role) => !isRole(role));
  if (unknown.length > 0) {
    throw new Error(`@Roles: undeclared role ${unknown.join(', ')} (declare it with defineRole)`);
  }

  return SetMetadata(ROLES, roles);
}

/**
 * Lets API keys in: a key must hold ALL these scopes. Without @ApiKeyScopes a route rejects every
 * API key with 403 (server clients reach only what was opened to them). Users are unaffected: a
 * route with only @ApiKeyScopes accepts any signed-in user, unless @Roles is also given.
 * `@ApiKeyScopes()` with no scopes admits any valid key. A method's scopes replace its controller's.
 */
export const ApiKeyScopes = (...scopes: string[]): ClassDecorator & MethodDecorator =>
  SetMetadata(API_KEY_SCOPES, scopes);

/** The caller set by the guard; undefined only on @Public() routes called without credentials. */
export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Principal | undefined =>
    context.switchToHttp().getRequest<FastifyRequest>().principal,
);
