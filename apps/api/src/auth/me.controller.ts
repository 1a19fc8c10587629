import {
  AuthRateLimit,
  AuthService,
  ChangePasswordDto,
  CurrentPrincipal,
  SessionDto,
  UserDto,
  type Principal,
} from '@bourse/platform';
import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiForbiddenResponse,
  ApiOkResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiOperation,
} from '@nestjs/swagger';

@ApiTags('auth')
@Controller('v1/me')
export class MeController {
  constructor(private readonly auth: AuthService) {}

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
}
