import {
  ApiKeyDto,
  ApiKeyService,
  CreateApiKeyDto,
  CreatedApiKeyDto,
  CurrentPrincipal,
  RequireStepUp,
  type Principal,
} from '@bourse/platform';
import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
} from '@nestjs/swagger';
import { AdminOnly } from './admin-only.decorator';

@AdminOnly()
@Controller('v1/admin/api-keys')
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeyService) {}

  @Post()
  @RequireStepUp()
  @ApiOperation({
    summary: 'Create an API key for a server client.',
    description: 'A key reaches only the routes opened to its scopes.',
  })
  @ApiCreatedResponse({
    type: CreatedApiKeyDto,
    description: 'The key, with its secret shown this once.',
  })
  @ApiBadRequestResponse({ description: '`validation.failed`, e.g. a malformed scope.' })
  create(
    @Body() body: CreateApiKeyDto,
    @CurrentPrincipal() principal: Principal | undefined,
  ): Promise<CreatedApiKeyDto> {
    return this.apiKeys.create(body, principal);
  }

  @Get()
  @ApiOperation({ summary: 'List API keys.' })
  @ApiOkResponse({ type: [ApiKeyDto], description: 'Every key, newest first; no secrets.' })
  list(): Promise<ApiKeyDto[]> {
    return this.apiKeys.list();
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Revoke an API key.' })
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Revoked; it stops working at once.' })
  @ApiNotFoundResponse({ description: '`auth.api_key_not_found`.' })
  revoke(
    @Param('id', new ParseUUIDPipe()) id: string,
    @CurrentPrincipal() principal: Principal | undefined,
  ): Promise<void> {
    return this.apiKeys.revoke(id, principal);
  }
}
