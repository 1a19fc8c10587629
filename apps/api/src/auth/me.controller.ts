import { AuthService, CurrentPrincipal, UserDto, type Principal } from '@bourse/platform';
import { Controller, Get } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiOkResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';

@ApiTags('auth')
@ApiBearerAuth('bearer')
@Controller('v1/me')
export class MeController {
  constructor(private readonly auth: AuthService) {}

  @Get()
  @ApiOkResponse({ type: UserDto, description: 'The signed-in user.' })
  @ApiUnauthorizedResponse({ description: 'Missing, invalid or expired access token.' })
  @ApiForbiddenResponse({ description: '`auth.forbidden`: API keys have no profile.' })
  me(@CurrentPrincipal() principal: Principal | undefined): Promise<UserDto> {
    return this.auth.me(principal);
  }
}
