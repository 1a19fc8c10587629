import {
  AuthRateLimit,
  AuthService,
  AuthSessionDto,
  ChangePasswordDto,
  CurrentPrincipal,
  EmailVerificationService,
  RecoveryCodesDto,
  SecondFactorDto,
  SessionDto,
  SessionsService,
  StepUpDto,
  TwoFactorEnrolmentDto,
  TwoFactorService,
  UserDto,
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
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiOperation,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';

const SECOND_FACTOR_ERRORS = {
  unauthorized: '`auth.invalid_second_factor`: the code is wrong or was already used.',
  tooMany:
    '`rate_limit.exceeded`, or `auth.too_many_attempts` (wrong codes count with failed sign-ins); with Retry-After.',
};

@ApiTags('auth')
@Controller('v1/me')
export class MeController {
  constructor(
    private readonly auth: AuthService,
    private readonly verification: EmailVerificationService,
    private readonly twoFactor: TwoFactorService,
    private readonly sessions: SessionsService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'The signed-in user.' })
  @ApiOkResponse({ type: UserDto, description: 'The signed-in user.' })
  @ApiForbiddenResponse({ description: '`auth.forbidden`: API keys have no profile.' })
  me(@CurrentPrincipal() principal: Principal | undefined): Promise<UserDto> {
    return this.auth.me(principal);
  }

  // A stolen access token must not make password guessing cheap: the sign-in limit applies.
  @Post('password')
  @ApiOperation({
    summary: 'Change your password.',
    description: 'Takes the current password; ends every other session.',
  })
  @HttpCode(200)
  @AuthRateLimit()
  @ApiOkResponse({
    type: SessionDto,
    description:
      'Password changed; every session is ended, its refresh and access tokens refused, and this new one replaces them.',
  })
  @ApiBadRequestResponse({ description: '`validation.failed`, e.g. a new password too short.' })
  @ApiForbiddenResponse({
    description:
      '`auth.wrong_password`: the current password does not match; `auth.account_disabled`; `auth.forbidden`: API keys have no password.',
  })
  @ApiTooManyRequestsResponse({
    description:
      '`rate_limit.exceeded`, or `auth.too_many_attempts` (wrong current passwords count with failed sign-ins); with Retry-After.',
  })
  changePassword(
    @CurrentPrincipal() principal: Principal | undefined,
    @Body() body: ChangePasswordDto,
  ): Promise<SessionDto> {
    return this.auth.changePassword(principal, body);
  }

  @Post('email-verification')
  @ApiOperation({
    summary: 'E-mail a new verification link.',
    description: 'Earlier links stop working. One per AUTH_EMAIL_RESEND_SECONDS.',
  })
  @HttpCode(202)
  @AuthRateLimit()
  @ApiAcceptedResponse({ description: 'A new link is on its way.' })
  @ApiConflictResponse({ description: '`auth.email_already_verified`.' })
  @ApiTooManyRequestsResponse({ description: '`auth.resend_too_soon`, with Retry-After.' })
  @ApiForbiddenResponse({ description: '`auth.forbidden`: API keys have no e-mail.' })
  resendVerification(@CurrentPrincipal() principal: Principal | undefined): Promise<void> {
    return this.verification.resend(principal);
  }

  @Get('sessions')
  @ApiOperation({ summary: 'Your signed-in sessions (devices).' })
  @ApiOkResponse({ type: [AuthSessionDto], description: 'Live sessions, newest first.' })
  @ApiForbiddenResponse({ description: '`auth.forbidden`: API keys have no sessions.' })
  listSessions(@CurrentPrincipal() principal: Principal | undefined): Promise<AuthSessionDto[]> {
    return this.sessions.list(principal);
  }

  @Delete('sessions/:id')
  @ApiOperation({
    summary: 'End one of your sessions.',
    description: 'Its refresh and access tokens stop working and its sockets close.',
  })
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Ended.' })
  @ApiNotFoundResponse({ description: '`auth.session_not_found`: not a session of yours.' })
  @ApiForbiddenResponse({ description: '`auth.forbidden`: API keys have no sessions.' })
  revokeSession(
    @CurrentPrincipal() principal: Principal | undefined,
    @Param('id', new ParseUUIDPipe()) id: string,
  ): Promise<void> {
    return this.sessions.revoke(principal, id);
  }

  @Post('two-factor')
  @ApiOperation({
    summary: 'Start turning two-factor (TOTP) on.',
    description:
      'Answers a new secret as an `otpauth://` URI for the authenticator app; nothing changes until a first code confirms it. Starting again replaces a pending secret.',
  })
  @ApiCreatedResponse({ type: TwoFactorEnrolmentDto, description: 'The secret to scan.' })
  @ApiConflictResponse({ description: '`auth.two_factor_state`: already on.' })
  @ApiForbiddenResponse({
    description:
      '`auth.forbidden`: API keys, and users of an external provider (their second factor is set up there).',
  })
  enrolTwoFactor(
    @CurrentPrincipal() principal: Principal | undefined,
  ): Promise<TwoFactorEnrolmentDto> {
    return this.twoFactor.enrol(principal);
  }

  @Post('two-factor/confirm')
  @ApiOperation({
    summary: 'Turn two-factor on with a first code.',
    description:
      'Answers ten recovery codes, this once (only their hashes are kept). The session counts as stepped up.',
  })
  @HttpCode(200)
  @AuthRateLimit()
  @ApiOkResponse({ type: RecoveryCodesDto, description: 'Two-factor is on.' })
  @ApiBadRequestResponse({ description: '`validation.failed`: `code` must be 6 digits.' })
  @ApiUnauthorizedResponse({ description: SECOND_FACTOR_ERRORS.unauthorized })
  @ApiConflictResponse({ description: '`auth.two_factor_state`: no enrolment started, or on.' })
  @ApiTooManyRequestsResponse({ description: SECOND_FACTOR_ERRORS.tooMany })
  async confirmTwoFactor(
    @CurrentPrincipal() principal: Principal | undefined,
    @Body() body: SecondFactorDto,
  ): Promise<RecoveryCodesDto> {
    return { recoveryCodes: await this.twoFactor.confirm(principal, body.code ?? '') };
  }

  @Post('two-factor/disable')
  @ApiOperation({ summary: 'Turn two-factor off, with a code or a recovery code.' })
  @HttpCode(204)
  @AuthRateLimit()
  @ApiNoContentResponse({ description: 'Off; the recovery codes are deleted.' })
  @ApiUnauthorizedResponse({ description: SECOND_FACTOR_ERRORS.unauthorized })
  @ApiConflictResponse({ description: '`auth.two_factor_state`: two-factor is off.' })
  @ApiTooManyRequestsResponse({ description: SECOND_FACTOR_ERRORS.tooMany })
  disableTwoFactor(
    @CurrentPrincipal() principal: Principal | undefined,
    @Body() body: SecondFactorDto,
  ): Promise<void> {
    return this.twoFactor.disable(principal, body);
  }

  @Post('step-up')
  @ApiOperation({
    summary: 'Prove your second factor for this session.',
    description:
      'Routes that move value away from you (and admin API-key creation) ask for a recent proof (`auth.step_up_required`); it holds AUTH_STEP_UP_MAX_AGE_SECONDS.',
  })
  @HttpCode(200)
  @AuthRateLimit()
  @ApiOkResponse({ type: StepUpDto, description: 'Stepped up.' })
  @ApiUnauthorizedResponse({ description: SECOND_FACTOR_ERRORS.unauthorized })
  @ApiConflictResponse({ description: '`auth.two_factor_state`: two-factor is off.' })
  @ApiTooManyRequestsResponse({ description: SECOND_FACTOR_ERRORS.tooMany })
  async stepUp(
    @CurrentPrincipal() principal: Principal | undefined,
    @Body() body: SecondFactorDto,
  ): Promise<StepUpDto> {
    return { validUntil: await this.twoFactor.stepUp(principal, body) };
  }
}
