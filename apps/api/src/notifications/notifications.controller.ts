import {
  MarkAllReadDto,
  NotificationDto,
  NotificationPageDto,
  NotificationQueryDto,
  NotificationsService,
  PreferencesDto,
} from '@bourse/notifications';
import { CurrentPrincipal, ForbiddenError, type Principal } from '@bourse/platform';
import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
  Put,
  Query,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';

/** A user's own notifications; API keys have no inbox (the guard refuses them already). */
function userOf(principal: Principal | undefined): string {
  if (principal?.kind !== 'user') {
    throw new ForbiddenError('Only users have notifications');
  }

  return principal.userId;
}

@ApiTags('notifications')
@ApiBearerAuth('bearer')
@ApiUnauthorizedResponse({ description: 'Missing, invalid or expired access token.' })
@ApiForbiddenResponse({ description: '`auth.forbidden`: only users have notifications.' })
@Controller('v1/notifications')
export class NotificationsController {
  constructor(private readonly notifications: NotificationsService) {}

  @Get()
  @ApiOperation({ summary: 'Your in-app notifications.' })
  @ApiOkResponse({
    type: NotificationPageDto,
    description: 'The in-app inbox, newest first, with the number of unread notifications.',
  })
  list(
    @CurrentPrincipal() principal: Principal | undefined,
    @Query() query: NotificationQueryDto,
  ): Promise<NotificationPageDto> {
    return this.notifications.inbox(userOf(principal), query);
  }

  @Post('read-all')
  @ApiOperation({ summary: 'Mark every notification read.' })
  @HttpCode(200)
  @ApiOkResponse({ type: MarkAllReadDto, description: 'Every unread notification marked read.' })
  markAllRead(@CurrentPrincipal() principal: Principal | undefined): Promise<MarkAllReadDto> {
    return this.notifications.markAllRead(userOf(principal));
  }

  @Get('preferences')
  @ApiOperation({ summary: 'Your notification channels.' })
  @ApiOkResponse({
    type: PreferencesDto,
    description: 'The channels notifications reach you on (all on until you choose).',
  })
  preferences(@CurrentPrincipal() principal: Principal | undefined): Promise<PreferencesDto> {
    return this.notifications.preferences(userOf(principal));
  }

  @Put('preferences')
  @ApiOperation({ summary: 'Choose your notification channels.' })
  @ApiOkResponse({
    type: PreferencesDto,
    description: 'Replaces your channel choices; notifications sent from now on follow them.',
  })
  @ApiUnprocessableEntityResponse({
    description: '`notifications.phone_required`: `sms` is on without a `phone`.',
  })
  setPreferences(
    @CurrentPrincipal() principal: Principal | undefined,
    @Body() body: PreferencesDto,
  ): Promise<PreferencesDto> {
    return this.notifications.setPreferences(userOf(principal), body);
  }

  @Post(':id/read')
  @ApiOperation({ summary: 'Mark one notification read.' })
  @HttpCode(200)
  @ApiOkResponse({
    type: NotificationDto,
    description: 'The notification, read (marking it again keeps the first read time).',
  })
  @ApiNotFoundResponse({
    description:
      '`notifications.not_found`: not in your inbox (the same answer for another user’s).',
  })
  markRead(
    @CurrentPrincipal() principal: Principal | undefined,
    @Param('id', new ParseUUIDPipe()) id: string,
  ): Promise<NotificationDto> {
    return this.notifications.markRead(userOf(principal), id);
  }
}
