import {
  ApproveDto,
  DecisionDto,
  KycCaseDetailDto,
  KycCaseSummaryDto,
  KycDocumentsService,
  KycQueueDto,
  KycService,
  ResubmissionDto,
} from '@bourse/kyc';
import { ReadUrlDto } from '@bourse/storage';
import { CurrentPrincipal, pageOf, PageQueryDto, Roles, type Principal } from '@bourse/platform';
import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';

const CONFLICT =
  '`kyc.invalid_transition` (not allowed from the case’s state), `kyc.claimed_by_other`.';

@ApiTags('kyc')
@Roles('compliance')
@ApiNotFoundResponse({ description: '`kyc.case_not_found`.' })
@Controller('v1/kyc/review/cases')
export class KycReviewController {
  constructor(
    private readonly kyc: KycService,
    private readonly documents: KycDocumentsService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'The review queue.' })
  @ApiOkResponse({
    type: KycQueueDto,
    description:
      'Submitted, in-review and held cases, oldest change first; personal data redacted.',
  })
  queue(@Query() query: PageQueryDto): Promise<KycQueueDto> {
    return this.kyc.queue(pageOf(query).limit);
  }

  @Get(':id')
  @ApiOperation({
    summary: 'One case with its personal data and events.',
    description: 'The read is recorded in the audit trail (`kyc_case.read_pii`).',
  })
  @ApiOkResponse({ type: KycCaseDetailDto, description: 'The case, decrypted.' })
  detail(
    @CurrentPrincipal() principal: Principal | undefined,
    @Param('id', new ParseUUIDPipe()) id: string,
  ): Promise<KycCaseDetailDto> {
    return this.kyc.detail(principal, id);
  }

  @Get(':id/documents/:documentId')
  @ApiOperation({
    summary: 'A short-lived URL to read one document of a case.',
    description:
      'The read is recorded in the audit trail (`kyc_document.read`) before the URL is made.',
  })
  @ApiOkResponse({ type: ReadUrlDto, description: 'A presigned GET of the file.' })
  @ApiNotFoundResponse({
    description: '`kyc.case_not_found`, `kyc.document_not_found` (also once erased).',
  })
  @ApiConflictResponse({ description: '`storage.not_verified`.' })
  @ApiServiceUnavailableResponse({ description: '`storage.unavailable`.' })
  document(
    @CurrentPrincipal() principal: Principal | undefined,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Param('documentId', new ParseUUIDPipe()) documentId: string,
  ): Promise<ReadUrlDto> {
    return this.documents.readForReview(principal, id, documentId);
  }

  @Post(':id/claim')
  @HttpCode(200)
  @ApiOperation({ summary: 'Claim a case for review.' })
  @ApiOkResponse({ type: KycCaseSummaryDto, description: 'The case, `in_review`, yours.' })
  @ApiConflictResponse({ description: CONFLICT })
  claim(
    @CurrentPrincipal() principal: Principal | undefined,
    @Param('id', new ParseUUIDPipe()) id: string,
  ): Promise<KycCaseSummaryDto> {
    return this.kyc.claim(principal, id);
  }

  @Post(':id/approve')
  @HttpCode(200)
  @ApiOperation({ summary: 'Approve a case you claimed, granting a tier.' })
  @ApiOkResponse({ type: KycCaseSummaryDto, description: 'The case, `approved`.' })
  @ApiConflictResponse({ description: CONFLICT })
  approve(
    @CurrentPrincipal() principal: Principal | undefined,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: ApproveDto,
  ): Promise<KycCaseSummaryDto> {
    return this.kyc.decide(principal, id, { to: 'approved', tier: body.tier });
  }

  @Post(':id/reject')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Reject a case, with a reason code.',
    description: 'Also revokes an approved case (its tier drops to `none` at once).',
  })
  @ApiOkResponse({ type: KycCaseSummaryDto, description: 'The case, `rejected`.' })
  @ApiConflictResponse({ description: CONFLICT })
  reject(
    @CurrentPrincipal() principal: Principal | undefined,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: DecisionDto,
  ): Promise<KycCaseSummaryDto> {
    return this.kyc.decide(principal, id, { to: 'rejected', reasonCode: body.reasonCode });
  }

  @Post(':id/request-resubmission')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Ask the applicant to correct and resubmit, with a reason code.',
    description:
      '`documents` lists the current documents to redo: the applicant cannot submit again before replacing each with one of the same type and side.',
  })
  @ApiOkResponse({ type: KycCaseSummaryDto, description: 'The case, `resubmission_requested`.' })
  @ApiConflictResponse({ description: CONFLICT })
  @ApiUnprocessableEntityResponse({
    description: '`kyc.unknown_documents` (`field: documents`): not current documents of the case.',
  })
  requestResubmission(
    @CurrentPrincipal() principal: Principal | undefined,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: ResubmissionDto,
  ): Promise<KycCaseSummaryDto> {
    return this.kyc.decide(principal, id, {
      to: 'resubmission_requested',
      reasonCode: body.reasonCode,
      documents: body.documents,
    });
  }

  @Post(':id/hold')
  @HttpCode(200)
  @ApiOperation({ summary: 'Put a case on hold, with a reason code.' })
  @ApiOkResponse({ type: KycCaseSummaryDto, description: 'The case, `on_hold`.' })
  @ApiConflictResponse({ description: CONFLICT })
  hold(
    @CurrentPrincipal() principal: Principal | undefined,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: DecisionDto,
  ): Promise<KycCaseSummaryDto> {
    return this.kyc.decide(principal, id, { to: 'on_hold', reasonCode: body.reasonCode });
  }
}
