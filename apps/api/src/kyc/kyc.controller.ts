import {
  ApplicantDto,
  AttachDocumentDto,
  KycDocumentsService,
  KycDto,
  KycExportDto,
  KycService,
} from '@bourse/kyc';
import {
  CurrentPrincipal,
  Idempotent,
  IdempotentCall,
  IdempotentResponse,
  RequireVerifiedEmail,
  type IdempotentRequest,
  type Principal,
} from '@bourse/platform';
import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';

@ApiTags('kyc')
@ApiForbiddenResponse({
  description:
    '`auth.forbidden`: only users have a KYC case; `auth.email_unverified` (sending data or submitting).',
})
@Controller('v1/kyc')
export class KycController {
  constructor(
    private readonly kyc: KycService,
    private readonly documents: KycDocumentsService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Your KYC case, tier and limits.' })
  @ApiOkResponse({
    type: KycDto,
    description: 'State, tier, your personal data once sent, and what is left of each limit.',
  })
  mine(@CurrentPrincipal() principal: Principal | undefined): Promise<KycDto> {
    return this.kyc.mine(principal);
  }

  @Post('applicant')
  @HttpCode(200)
  @Idempotent()
  @RequireVerifiedEmail()
  @ApiOperation({
    summary: 'Send or correct your personal data.',
    description:
      'National id and date of birth are encrypted at rest. Moves the case to `collecting`.',
  })
  @ApiOkResponse({ type: KycDto, description: 'The case after the change.' })
  @ApiConflictResponse({
    description:
      '`kyc.invalid_transition`: the case is past collecting (submitted, in review, decided); `idempotency.request_in_progress`.',
  })
  @ApiUnprocessableEntityResponse({ description: '`idempotency.key_mismatch`.' })
  applicant(
    @CurrentPrincipal() principal: Principal | undefined,
    @Body() body: ApplicantDto,
    @IdempotentCall() call?: IdempotentRequest,
  ): Promise<KycDto | IdempotentResponse<KycDto>> {
    return this.kyc.saveApplicant(principal, body, call);
  }

  @Post('submit')
  @HttpCode(200)
  @Idempotent()
  @RequireVerifiedEmail()
  @ApiOperation({ summary: 'Submit your case for review.' })
  @ApiOkResponse({ type: KycDto, description: 'The case, now `submitted`.' })
  @ApiConflictResponse({
    description: '`kyc.invalid_transition`: nothing to submit in this state.',
  })
  @ApiUnprocessableEntityResponse({
    description: '`kyc.incomplete`: send your personal data first; `idempotency.key_mismatch`.',
  })
  submit(
    @CurrentPrincipal() principal: Principal | undefined,
    @IdempotentCall() call?: IdempotentRequest,
  ): Promise<KycDto | IdempotentResponse<KycDto>> {
    return this.kyc.submit(principal, call);
  }

  @Post('documents')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Add an identity document to your case.',
    description:
      'Links a verified upload of purpose `kyc.document` (POST /v1/uploads, then complete it) with its type and side; it replaces the document of the same type and side. After a resubmission request it reopens the case (`collecting`).',
  })
  @ApiOkResponse({ type: KycDto, description: 'The case with its current documents.' })
  @ApiConflictResponse({
    description: '`kyc.documents_closed`: the case is submitted, in review or decided.',
  })
  @ApiUnprocessableEntityResponse({
    description:
      '`kyc.upload_not_usable` (`field: uploadId`): not a verified `kyc.document` upload of yours.',
  })
  attachDocument(
    @CurrentPrincipal() principal: Principal | undefined,
    @Body() body: AttachDocumentDto,
  ): Promise<KycDto> {
    return this.documents.attach(principal, body);
  }

  @Get('export')
  @ApiOperation({
    summary: 'Export everything KYC holds about you.',
    description:
      'Your case, personal data (decrypted), documents and every change of the case, as JSON. The export is recorded in the audit trail.',
  })
  @ApiOkResponse({ type: KycExportDto, description: 'Your KYC data.' })
  export(@CurrentPrincipal() principal: Principal | undefined): Promise<KycExportDto> {
    return this.kyc.export(principal);
  }
}
