import {
  AuthRateLimit,
  AuthService,
  EmailTokenDto,
  EmailVerificationService,
  ForgotPasswordDto,
  LoginDto,
  LogoutDto,
  PasswordResetService,
  Public,
  RefreshTokenDto,
  RegisterDto,
  RequestClient,
  ResetPasswordDto,
  SessionDto,
  SignInSecondFactorDto,
  TwoFactorService,
  UserDto,
  type ClientInfo,
} from '@bourse/platform';
import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
  ApiOperation,
} from '@nestjs/swagger';

@ApiTags('auth')
@Public()
@AuthRateLimit()
@ApiBadRequestResponse({ description: '`validation.failed`, naming the offending fields.' })
@ApiTooManyRequestsResponse({ description: '`rate_limit.exceeded`, with Retry-After.' })
@Controller('v1/auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly verification: EmailVerificationService,
    private readonly passwordReset: PasswordResetService,
    private readonly twoFactor: TwoFactorService,
  ) {}

  @Post('register')
  @ApiOperation({
    summary: 'Create an account and sign in.',
    description:
      'Registers a user (role `user`) and answers a session: a short-lived access token and a single-use refresh token. A verification link is e-mailed; until it is followed the user can sign in but moves no value and starts no identity check (`auth.email_unverified`).',
  })
  @ApiCreatedResponse({ type: SessionDto, description: 'Account created and signed in.' })
  @ApiConflictResponse({ description: '`auth.email_taken`.' })
  register(@Body() body: RegisterDto, @RequestClient() client: ClientInfo): Promise<SessionDto> {
    return this.auth.register(body, client);
  }

  @Post('verify-email')
  @ApiOperation({
    summary: 'Verify an e-mail address with the e-mailed link.',
    description: 'The link works once and expires (AUTH_EMAIL_VERIFY_TTL_SECONDS).',
  })
  @HttpCode(200)
  @ApiOkResponse({ type: UserDto, description: 'Verified: the user, with `emailVerifiedAt`.' })
  @ApiBadRequestResponse({
    description:
      '`auth.invalid_email_token`: unknown, tampered with, already used or expired (one answer); `validation.failed`.',
  })
  verifyEmail(@Body() body: EmailTokenDto): Promise<UserDto> {
    return this.verification.verify(body.token);
  }

  @Post('password/forgot')
  @ApiOperation({
    summary: 'E-mail a password reset link.',
    description:
      'The same answer, in the same time, whether or not an account uses the address (an address without one gets a notice instead of a link). One e-mail per address per AUTH_EMAIL_RESEND_SECONDS.',
  })
  @HttpCode(202)
  @ApiAcceptedResponse({ description: 'Accepted; nothing is said about the address.' })
  forgotPassword(@Body() body: ForgotPasswordDto): Promise<void> {
    return this.passwordReset.request(body);
  }

  @Post('password/reset')
  @ApiOperation({
    summary: 'Set a new password with the e-mailed link.',
    description:
      'Ends every session of the user (refresh and access tokens); sign in again. Following the link verifies the e-mail address too.',
  })
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Password changed; every session ended.' })
  @ApiBadRequestResponse({
    description:
      '`auth.invalid_email_token` (unknown, tampered with, used or expired); `validation.failed`, e.g. a password too short.',
  })
  @ApiForbiddenResponse({ description: '`auth.account_disabled`.' })
  resetPassword(@Body() body: ResetPasswordDto): Promise<void> {
    return this.passwordReset.reset(body);
  }

  @Post('login')
  @ApiOperation({
    summary: 'Sign in with email and password.',
    description: 'Answers a session. Failed attempts count per email, from any address.',
  })
  @HttpCode(200)
  @ApiOkResponse({ type: SessionDto, description: 'Signed in.' })
  @ApiUnauthorizedResponse({ description: '`auth.invalid_credentials`, same for unknown emails.' })
  @ApiForbiddenResponse({
    description:
      "`auth.account_disabled`: the password is right but an admin disabled the account; `auth.second_factor_required`: the password is right and two-factor is on, finish at /v1/auth/login/second-factor with the answer's `challengeToken`.",
  })
  @ApiTooManyRequestsResponse({
    description:
      '`rate_limit.exceeded` (per IP), or `auth.too_many_attempts`: too many failed sign-ins for this email, from anywhere; both with Retry-After.',
  })
  login(@Body() body: LoginDto, @RequestClient() client: ClientInfo): Promise<SessionDto> {
    return this.auth.login(body, client);
  }

  @Post('login/second-factor')
  @ApiOperation({
    summary: 'Finish a sign-in with the second factor.',
    description:
      'Takes the challenge of the password step and a TOTP code (or a recovery code); the session counts as stepped up for AUTH_STEP_UP_MAX_AGE_SECONDS. Wrong codes count with failed sign-ins.',
  })
  @HttpCode(200)
  @ApiOkResponse({ type: SessionDto, description: 'Signed in.' })
  @ApiUnauthorizedResponse({
    description:
      '`auth.invalid_second_factor` (wrong or already used code); `auth.invalid_token` (the challenge is forged or expired).',
  })
  @ApiForbiddenResponse({ description: '`auth.account_disabled`.' })
  @ApiConflictResponse({ description: '`auth.two_factor_state`: two-factor is off.' })
  @ApiTooManyRequestsResponse({
    description: '`auth.too_many_attempts`: too many wrong passwords or codes; with Retry-After.',
  })
  loginSecondFactor(
    @Body() body: SignInSecondFactorDto,
    @RequestClient() client: ClientInfo,
  ): Promise<SessionDto> {
    return this.twoFactor.completeSignIn(body, client);
  }

  @Post('refresh')
  @ApiOperation({
    summary: 'Trade a refresh token for a new session.',
    description:
      'Refresh tokens are single use: presenting a spent one revokes its whole session (a stolen copy is detected).',
  })
  @HttpCode(200)
  @ApiOkResponse({
    type: SessionDto,
    description: 'A new token pair; the old refresh token is spent.',
  })
  @ApiUnauthorizedResponse({
    description:
      '`auth.invalid_token`, `auth.token_expired`, or `auth.refresh_token_reused` (the session is revoked).',
  })
  refresh(@Body() body: RefreshTokenDto, @RequestClient() client: ClientInfo): Promise<SessionDto> {
    return this.auth.refresh(body.refreshToken, client);
  }

  @Post('logout')
  @ApiOperation({ summary: 'End a session, or every session of its user.' })
  @HttpCode(204)
  @ApiNoContentResponse({
    description:
      'The session of this refresh token is revoked (its access tokens too), or with `everywhere` every session of its user.',
  })
  @ApiUnauthorizedResponse({
    description:
      '`auth.invalid_token`: not a refresh token we issued (or, with `everywhere`, one already spent, revoked or expired).',
  })
  logout(@Body() body: LogoutDto): Promise<void> {
    return this.auth.logout(body.refreshToken, { everywhere: body.everywhere });
  }
}
