import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { API_KEY_SCOPES, ROLES } from './auth.decorators';
import { ForbiddenError, UnauthenticatedError } from './auth.errors';
import { AuthService } from './auth.service';
import type { Principal, Role } from './principal';
import { IS_PUBLIC } from './public.decorator';

/** What a route asks of its caller, read from @Public, @Roles and @ApiKeyScopes. */
export interface AccessRules {
  isPublic: boolean;
  roles?: Role[];
  scopes?: string[];
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
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    // Socket.IO authenticates once per connection, in the handshake (socketAuthMiddleware).
    if (context.getType() !== 'http') {
      return true;
    }
    const targets = [context.getHandler(), context.getClass()];
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    request.principal = await this.auth.authenticate(request.headers.authorization);
    authorize(request.principal, {
      isPublic: this.reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC, targets) ?? false,
      roles: this.reflector.getAllAndOverride<Role[] | undefined>(ROLES, targets),
      scopes: this.reflector.getAllAndOverride<string[] | undefined>(API_KEY_SCOPES, targets),
    });

    return true;
  }
}
