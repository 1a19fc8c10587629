import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Principal } from './principal';
import type { ClientInfo } from './session.repository';
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

export const REQUIRE_VERIFIED_EMAIL = 'bourse:require-verified-email';
export const REQUIRE_STEP_UP = 'bourse:require-step-up';

/**
 * Users whose e-mail is not verified get 403 `auth.email_unverified` (for routes that move value
 * or start an identity check). API keys are unaffected.
 */
export const RequireVerifiedEmail = (): ClassDecorator & MethodDecorator =>
  SetMetadata(REQUIRE_VERIFIED_EMAIL, true);

/**
 * Value leaving the user: the caller must have proved a second factor recently, as
 * AUTH_STEP_UP and AUTH_STEP_UP_MAX_AGE_SECONDS say (403 `auth.step_up_required`, or
 * `auth.two_factor_required` under `always` without two-factor). Implies a verified e-mail. API
 * keys are unaffected. Where the rule depends on the request's data, call
 * `AccountChecks.require(principal, { stepUp: true })` in the service instead.
 */
export const RequireStepUp = (): ClassDecorator & MethodDecorator =>
  SetMetadata(REQUIRE_STEP_UP, true);

/** Where the request comes from (the address as TRUST_PROXY resolves it, and the User-Agent). */
export const RequestClient = createParamDecorator(
  (_data: unknown, context: ExecutionContext): ClientInfo => {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const agent = request.headers['user-agent'];

    return { ip: request.ip, userAgent: typeof agent === 'string' ? agent : undefined };
  },
);
