import {
  CreateUploadDto,
  PresignedUploadDto,
  ReadUrlDto,
  ReadUrlQueryDto,
  UploadDto,
  UploadsService,
} from '@bourse/storage';
import { ApiKeyScopes, CurrentPrincipal, type Principal } from '@bourse/platform';
import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';

/**
 * Reads accept any valid API key besides users: the upload's purpose decides which scopes (and
 * roles) see it, and answers everyone else 404.
 */
const ReadableByApiKeys = () => ApiKeyScopes();

const NOT_FOUND =
  '`storage.upload_not_found`: no such upload, or you may not see it (the same answer for both).';

@ApiTags('uploads')
@ApiServiceUnavailableResponse({ description: '`storage.unavailable`: S3 did not answer.' })
@Controller('v1/uploads')
export class UploadsController {
  constructor(private readonly uploads: UploadsService) {}

  @Post()
  @ApiOperation({ summary: 'Start an upload: a presigned S3 POST for one file.' })
  @ApiCreatedResponse({
    type: PresignedUploadDto,
    description:
      'A presigned POST: send `fields` and then the file as multipart/form-data to `url` before `expiresAt`. S3 refuses another size, type or key; then call complete.',
  })
  @ApiForbiddenResponse({ description: '`auth.forbidden`: only users upload (not API keys).' })
  @ApiUnprocessableEntityResponse({
    description:
      '`storage.unknown_purpose`, `storage.content_type_not_allowed`, `storage.size_out_of_range` (each names its field).',
  })
  create(
    @CurrentPrincipal() principal: Principal | undefined,
    @Body() body: CreateUploadDto,
  ): Promise<PresignedUploadDto> {
    return this.uploads.create(principal, body);
  }

  @Post(':id/complete')
  @HttpCode(200)
  @ApiOperation({ summary: 'Check an uploaded file and settle the upload.' })
  @ApiOkResponse({
    type: UploadDto,
    description:
      '`verified` when the stored file has the declared size, type and bytes of that type (its SHA-256 is recorded), otherwise `rejected` with a reason and the file deleted. A settled upload is answered as it is.',
  })
  @ApiNotFoundResponse({ description: `${NOT_FOUND} Only the owner completes.` })
  @ApiConflictResponse({
    description:
      '`storage.object_missing`: nothing was uploaded yet; `storage.upload_changed`: the file was replaced during the check. The upload stays pending: complete again.',
  })
  complete(
    @CurrentPrincipal() principal: Principal | undefined,
    @Param('id', new ParseUUIDPipe()) id: string,
  ): Promise<UploadDto> {
    return this.uploads.complete(principal, id);
  }

  @Get(':id')
  @ReadableByApiKeys()
  @ApiOperation({ summary: 'One upload and its state.' })
  @ApiOkResponse({
    type: UploadDto,
    description: 'The upload, to its owner or a reader its purpose allows.',
  })
  @ApiNotFoundResponse({ description: NOT_FOUND })
  get(
    @CurrentPrincipal() principal: Principal | undefined,
    @Param('id', new ParseUUIDPipe()) id: string,
  ): Promise<UploadDto> {
    return this.uploads.get(principal, id);
  }

  @Get(':id/url')
  @ReadableByApiKeys()
  @ApiOperation({ summary: 'A short-lived read URL of a verified file or its thumbnail.' })
  @ApiOkResponse({
    type: ReadUrlDto,
    description:
      'A short-lived presigned GET of the verified file or its thumbnail, for its owner or a reader its purpose allows.',
  })
  @ApiNotFoundResponse({ description: NOT_FOUND })
  @ApiConflictResponse({
    description:
      '`storage.not_verified`: only verified uploads are readable; `storage.thumbnail_unavailable`: no thumbnail (yet).',
  })
  readUrl(
    @CurrentPrincipal() principal: Principal | undefined,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Query() query: ReadUrlQueryDto,
  ): Promise<ReadUrlDto> {
    return this.uploads.readUrl(principal, id, query.variant);
  }
}
