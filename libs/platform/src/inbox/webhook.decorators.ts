import {
  applyDecorators,
  createParamDecorator,
  HttpCode,
  Injectable,
  SetMetadata,
  UseGuards,
  type CanActivate,
  type ExecutionContext,
  type Type,
} from '@nestjs/common';
import { ModuleRef, Reflector } from '@nestjs/core';
import { ApiExcludeEndpoint } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { IncomingHttpHeaders } from 'node:http';
import { Public } from '../auth/public.decorator';
import { createLenientValidationPipe } from '../errors/validation';
import { KeepRawBody } from '../http/raw-body';
import { InboxService } from './inbox.service';

/** Checks a provider's signature over the exact bytes it sent; a provider class of the lib. */
export interface WebhookVerifier {
  verify(rawBody: Buffer, headers: IncomingHttpHeaders): boolean | Promise<boolean>;
}

export interface WebhookRouteOptions {
  provider: string;
  verifier: Type<WebhookVerifier>;
}

/** Route metadata of `@Webhook()`; the rate limiter reads it to apply the webhook limit. */
export const WEBHOOK_ROUTE = 'bourse:webhook-route';

/** Refuses (400, counted) a delivery whose signature the route's verifier does not accept. */
@Injectable()
export class WebhookSignatureGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly moduleRef: ModuleRef,
    private readonly inbox: InboxService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const route = this.reflector.get<WebhookRouteOptions>(WEBHOOK_ROUTE, context.getHandler());
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const verifier = this.moduleRef.get(route.verifier, { strict: false });
    // No raw body: nothing JSON or form-encoded was sent, so nothing can carry a valid signature.
    if (!request.rawBody || !(await verifier.verify(request.rawBody, request.headers))) {
      this.inbox.refuseSignature(route.provider);
    }

    return true;
  }
}

/**
 * A provider's webhook route: public (the signature authenticates it), its raw body kept and
 * checked by `verifier` before anything else reads the body, its own rate limit
 * (WEBHOOK_RATE_LIMIT_PER_MINUTE instead of the per-IP user limit), 200 on success. Left out of
 * the OpenAPI document: providers, not our clients, call it.
 */
export const Webhook = (provider: string, verifier: Type<WebhookVerifier>): MethodDecorator =>
  applyDecorators(
    Public(),
    KeepRawBody(),
    HttpCode(200),
    ApiExcludeEndpoint(),
    SetMetadata(WEBHOOK_ROUTE, { provider, verifier } satisfies WebhookRouteOptions),
    UseGuards(WebhookSignatureGuard),
  );

const webhookBody = createParamDecorator(
  (_data: unknown, context: ExecutionContext): unknown =>
    context.switchToHttp().getRequest<FastifyRequest>().body,
);

/**
 * The parsed webhook body, validated against the parameter's DTO for the fields it declares;
 * fields the provider adds that the DTO does not model are kept, not refused (unlike `@Body()`).
 */
export const WebhookPayload = (): ParameterDecorator => webhookBody(createLenientValidationPipe());
