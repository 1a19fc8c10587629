import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { AccountChecks } from './account-checks';
import { API_KEY_SCOPES, REQUIRE_STEP_UP, REQUIRE_VERIFIED_EMAIL, ROLES } from './auth.decorators';
import { ForbiddenError, UnauthenticatedError } from './auth.errors';
import { AuthService } from './auth.service';
import type { Principal, Role } from './principal';
import { IS_PUBLIC } from './public.decorator';

/**
 * What a route asks of its caller, read from @Public, @Roles, @ApiKeyScopes, and of users,
 * @RequireVerifiedEmail and @RequireStepUp.
 */
export interface AccessRules {
  isPublic: boolean;
  roles?: Role[];
  scopes?: string[];
  verifiedEmail?: boolean;
  stepUp?: boolean;
}

/** A route's rules: the handler's decorators override its controller's. The OpenAPI document reads them too. */
export function accessRulesOf(
  reflector: Reflector,
  controller: object,
  handler: object,
): AccessRules {
  const targets = [handler, controller] as Parameters<Reflector['getAllAndOverride']>[1];

  return {
    isPublic: reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC, targets) ?? false,
    roles: reflector.getAllAndOverride<Role[] | undefined>(ROLES, targets),
    scopes: reflector.getAllAndOverride<string[] | undefined>(API_KEY_SCOPES, targets),
    verifiedEmail:
      reflector.getAllAndOverride<boolean | undefined>(REQUIRE_VERIFIED_EMAIL, targets) ?? false,
    stepUp: reflector.getAllAndOverride<boolean | undefined>(REQUIRE_STEP_UP, targets) ?? false,
  };
}

/** Throws 401/403 unless `principal` may call a route with these rules (see the decorators). */
export function authorize(principal: Principal | undefined, rules: AccessRules): void {
  if (rules.isPublic) {
    return;
  }
  if (!principal) {
    throw new UnauthenticatedError();
  }
  switch (principal.kind) {
    case 'user':
      if (rules.roles && !rules.roles.includes(principal.role)) {
        throw new ForbiddenError(`Requires the role ${rules.roles.join(' or ')}`);
      }

      return;
    case 'apiKey': {
      if (!rules.scopes) {
        throw new ForbiddenError('This route does not accept API keys');
      }
      const missing = rules.scopes.filter((scope) => !principal.scopes.includes(scope));
      if (missing.length > 0) {
        throw new ForbiddenError(`The API key lacks the scopes: ${missing.join(', ')}`);
      }

      return;
    }
  }
}

/**
 * Global (APP_GUARD): every route needs credentials unless @Public(). Credentials sent to a public
 * route are still checked, so a bad token is a 401 anywhere rather than a silent anonymous call.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  /** Per controller, per handler: decorators are fixed at boot, so they are read once. */
  private readonly rulesByRoute = new WeakMap<object, WeakMap<object, AccessRules>>();

  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
    private readonly checks: AccountChecks,
  ) {}

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    // Socket.IO authenticates once per connection, in the handshake (socketAuthMiddleware).
    if (context.getType() !== 'http') {
      return true;
    }
    const rules = this.rulesFor(context.getClass(), context.getHandler());
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const { authorization } = request.headers;
    // Anonymous calls (probes, public reads) are decided without a promise.
    if (authorization === undefined) {
      authorize(undefined, rules);

      return true;
    }

    return this.auth.authenticate(authorization).then(async (principal) => {
      request.principal = principal;
      authorize(principal, rules);
      // A step-up implies a verified e-mail: value leaves only a verified account.
      await this.checks.require(principal, {
        verifiedEmail: rules.verifiedEmail || rules.stepUp,
        stepUp: rules.stepUp,
      });

      return true;
    });
  }

  private rulesFor(controller: object, handler: object): AccessRules {
    let byHandler = this.rulesByRoute.get(controller);
    if (!byHandler) {
      byHandler = new WeakMap();
      this.rulesByRoute.set(controller, byHandler);
    }
    let rules = byHandler.get(handler);
    if (!rules) {
      rules = accessRulesOf(this.reflector, controller, handler);
      byHandler.set(handler, rules);
    }

    return rules;
  }
}
