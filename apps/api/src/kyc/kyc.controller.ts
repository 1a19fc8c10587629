import { ApplicantDto, KycDto, KycService } from '@bourse/kyc';
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
  constructor(private readonly kyc: KycService) {}

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
}
