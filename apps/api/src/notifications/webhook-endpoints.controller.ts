import {
  CreatedWebhookEndpointDto,
  CreateWebhookEndpointDto,
  DeliveryPageDto,
  DeliveryQueryDto,
  ReplayDto,
  ReplayResultDto,
  UpdateWebhookEndpointDto,
  WebhookDeliveryDto,
  WebhookEndpointDto,
  WebhookSecretDto,
  WebhooksService,
} from '@bourse/notifications';
import { ApiKeyScopes, CurrentPrincipal, Roles, type Principal } from '@bourse/platform';
import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Query,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiSecurity,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';

const NOT_FOUND =
  '`notifications.webhook_not_found`: no such endpoint, or your API key does not own it.';

/**
 * Partners' webhook endpoints: admins manage every one, an API key with the `webhooks` scope
 * those it created. Deliveries are signed per Standard Webhooks (libs/notifications/README.md).
 */
@ApiTags('webhooks')
@ApiBearerAuth('bearer')
@ApiSecurity('apiKey')
@Roles('admin')
@ApiKeyScopes('webhooks')
@ApiUnauthorizedResponse({ description: 'Missing or invalid credentials.' })
@ApiForbiddenResponse({
  description: '`auth.forbidden`: admins, or API keys with the `webhooks` scope, only.',
})
@Controller('v1/webhooks')
export class WebhookEndpointsController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post('endpoints')
  @ApiOperation({ summary: 'Add a webhook endpoint.' })
  @ApiCreatedResponse({
    type: CreatedWebhookEndpointDto,
    description: 'The endpoint and its signing secret, shown this once.',
  })
  create(
    @CurrentPrincipal() principal: Principal,
    @Body() body: CreateWebhookEndpointDto,
  ): Promise<CreatedWebhookEndpointDto> {
    return this.webhooks.create(principal, body);
  }

  @Get('endpoints')
  @ApiOperation({ summary: 'Your webhook endpoints.' })
  @ApiOkResponse({ type: [WebhookEndpointDto], description: 'Newest first; admins see all.' })
  list(@CurrentPrincipal() principal: Principal): Promise<WebhookEndpointDto[]> {
    return this.webhooks.list(principal);
  }

  @Get('endpoints/:id')
  @ApiOperation({ summary: 'One webhook endpoint.' })
  @ApiOkResponse({ type: WebhookEndpointDto })
  @ApiNotFoundResponse({ description: NOT_FOUND })
  get(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
  ): Promise<WebhookEndpointDto> {
    return this.webhooks.get(principal, id);
  }

  @Patch('endpoints/:id')
  @ApiOperation({ summary: 'Change, disable or enable a webhook endpoint.' })
  @ApiOkResponse({ type: WebhookEndpointDto })
  @ApiNotFoundResponse({ description: NOT_FOUND })
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: UpdateWebhookEndpointDto,
  ): Promise<WebhookEndpointDto> {
    return this.webhooks.update(principal, id, body);
  }

  @Post('endpoints/:id/rotate-secret')
  @HttpCode(200)
  @ApiOperation({ summary: 'Rotate an endpoint’s signing secret.' })
  @ApiOkResponse({
    type: WebhookSecretDto,
    description: 'The new secret, shown once; deliveries carry both signatures for a day.',
  })
  @ApiNotFoundResponse({ description: NOT_FOUND })
  rotate(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
  ): Promise<WebhookSecretDto> {
    return this.webhooks.rotate(principal, id);
  }

  @Post('endpoints/:id/replay')
  @HttpCode(200)
  @ApiOperation({ summary: 'Send an endpoint’s events of a time window again.' })
  @ApiOkResponse({
    type: ReplayResultDto,
    description: 'Each event of the window it subscribes to is queued again, with its webhook-id.',
  })
  @ApiNotFoundResponse({ description: NOT_FOUND })
  replay(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: ReplayDto,
  ): Promise<ReplayResultDto> {
    return this.webhooks.replay(principal, id, body);
  }

  @Get('endpoints/:id/deliveries')
  @ApiOperation({ summary: 'An endpoint’s deliveries and their attempts.' })
  @ApiOkResponse({ type: DeliveryPageDto })
  @ApiNotFoundResponse({ description: NOT_FOUND })
  deliveries(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Query() query: DeliveryQueryDto,
  ): Promise<DeliveryPageDto> {
    return this.webhooks.deliveries(principal, id, query);
  }

  @Post('deliveries/:id/resend')
  @HttpCode(200)
  @ApiOperation({ summary: 'Send one delivery again.' })
  @ApiOkResponse({ type: WebhookDeliveryDto, description: 'The delivery, pending again.' })
  @ApiNotFoundResponse({ description: NOT_FOUND })
  resend(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
  ): Promise<WebhookDeliveryDto> {
    return this.webhooks.resend(principal, id);
  }
}
