import {
  AdminActionDto,
  CurrentPrincipal,
  Roles,
  UserAdminService,
  UserDto,
  UserLookupDto,
  type Principal,
} from '@bourse/platform';
import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { AdminOnly } from './admin-only.decorator';

@AdminOnly()
@ApiNotFoundResponse({ description: '`auth.user_not_found`.' })
@Controller('v1/admin/users')
export class AdminUsersController {
  constructor(private readonly users: UserAdminService) {}

  @Get()
  @Roles('admin', 'support', 'compliance')
  @ApiOperation({ summary: 'Find a user by email.' })
  @ApiOkResponse({ type: UserDto, description: 'The user with this email (support lookups).' })
  find(@Query() query: UserLookupDto): Promise<UserDto> {
    return this.users.findByEmail(query.email);
  }

  @Post(':id/disable')
  @ApiOperation({
    summary: 'Disable a user.',
    description: 'Recorded in the audit log with its actor and reason.',
  })
  @HttpCode(200)
  @ApiOkResponse({
    type: UserDto,
    description:
      'Disabled (again: unchanged): every session ends now, its access tokens refused too (by other api instances within AUTH_REVOCATION_POLL_MS), and sign-in is refused (`auth.account_disabled`). Not your own account.',
  })
  disable(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: AdminActionDto,
    @CurrentPrincipal() principal: Principal | undefined,
  ): Promise<UserDto> {
    return this.users.disable(id, { actor: principal, reason: body.reason });
  }

  @Post(':id/enable')
  @ApiOperation({
    summary: 'Enable a disabled user.',
    description: 'Recorded in the audit log with its actor and reason.',
  })
  @HttpCode(200)
  @ApiOkResponse({ type: UserDto, description: 'Enabled: the user may sign in again.' })
  enable(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: AdminActionDto,
    @CurrentPrincipal() principal: Principal | undefined,
  ): Promise<UserDto> {
    return this.users.enable(id, { actor: principal, reason: body.reason });
  }
}
