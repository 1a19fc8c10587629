import {
  AuthRateLimit,
  AuthService,
  LoginDto,
  LogoutDto,
  Public,
  RefreshTokenDto,
  RegisterDto,
  SessionDto,
} from '@bourse/platform';
import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import {
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
  constructor(private readonly auth: AuthService) {}

  @Post('register')
  @ApiOperation({
    summary: 'Create an account and sign in.',
    description:
      'Registers a user (role `user`) and answers a session: a short-lived access token and a single-use refresh token.',
  })
  @ApiCreatedResponse({ type: SessionDto, description: 'Account created and signed in.' })
  @ApiConflictResponse({ description: '`auth.email_taken`.' })
  register(@Body() body: RegisterDto): Promise<SessionDto> {
    return this.auth.register(body);
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
      '`auth.account_disabled`: the password is right but an admin disabled the account.',
  })
  @ApiTooManyRequestsResponse({
    description:
      '`rate_limit.exceeded` (per IP), or `auth.too_many_attempts`: too many failed sign-ins for this email, from anywhere; both with Retry-After.',
  })
  login(@Body() body: LoginDto): Promise<SessionDto> {
    return this.auth.login(body);
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
  refresh(@Body() body: RefreshTokenDto): Promise<SessionDto> {
    return this.auth.refresh(body.refreshToken);
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
