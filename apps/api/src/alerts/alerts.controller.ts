import {
  AckedDto,
  AckEventsDto,
  AlertDto,
  AlertEventPageDto,
  AlertEventsQueryDto,
  AlertEventsService,
  AlertPageDto,
  AlertQueryDto,
  AlertRulesService,
  AlertStreamHub,
  CreateAlertDto,
  sseResumePoint,
  streamEvents,
  UpdateAlertDto,
} from '@bourse/alerts';
import {
  CurrentPrincipal,
  ForbiddenError,
  Idempotent,
  IdempotentCall,
  type IdempotentRequest,
  type IdempotentResponse,
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
  Patch,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
  ApiUnauthorizedResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** Alerts belong to users; API keys have none (the guard refuses them already). */
function userOf(principal: Principal | undefined): string {
  if (principal?.kind !== 'user') {
    throw new ForbiddenError('Only users have alerts');
  }

  return principal.userId;
}

const INVALID =
  '`alerts.invalid` (a field the operator needs is missing, bounds out of order, too many bars) or `alerts.expiry_past`, naming its `field`; `idempotency.key_mismatch`.';

@ApiTags('alerts')
@ApiBearerAuth('bearer')
@ApiUnauthorizedResponse({ description: 'Missing, invalid or expired access token.' })
@ApiForbiddenResponse({ description: '`auth.forbidden`: only users have alerts.' })
@Controller('v1/alerts')
export class AlertsController {
  constructor(
    private readonly rules: AlertRulesService,
    private readonly events: AlertEventsService,
    private readonly hub: AlertStreamHub,
  ) {}

  @Post()
  @Idempotent()
  @ApiOperation({
    summary: 'Create a price alert.',
    description:
      'Crossing operators compare each tick with the previous one and need a tick after this one was created; state operators fire on the next tick while true; the frequency limits how often.',
  })
  @ApiCreatedResponse({ type: AlertDto, description: 'The alert, active.' })
  @ApiUnprocessableEntityResponse({ description: INVALID })
  @ApiConflictResponse({
    description:
      '`alerts.quota_exceeded` (ALERTS_MAX_ACTIVE_PER_USER); `idempotency.request_in_progress`.',
  })
  create(
    @CurrentPrincipal() principal: Principal | undefined,
    @Body() body: CreateAlertDto,
    @IdempotentCall() call?: IdempotentRequest,
  ): Promise<AlertDto | IdempotentResponse<AlertDto>> {
    return this.rules.create(userOf(principal), body, call);
  }

  @Get()
  @ApiOperation({ summary: 'Your alerts, oldest first.' })
  @ApiOkResponse({ type: AlertPageDto, description: 'A page of your alerts.' })
  list(
    @CurrentPrincipal() principal: Principal | undefined,
    @Query() query: AlertQueryDto,
  ): Promise<AlertPageDto> {
    return this.rules.list(userOf(principal), query);
  }

  @Get('events')
  @ApiOperation({
    summary: 'Your fired alerts after a seq, as JSON or as a Server-Sent Events stream.',
    description:
      'JSON: the events with `seq > after`, in order. With `Accept: text/event-stream`: every event after `Last-Event-ID` (else `after`), then live ones, each with `id: <seq>` and `event: alert`.',
  })
  @ApiProduces('application/json', 'text/event-stream')
  @ApiOkResponse({ type: AlertEventPageDto, description: 'The events after `after`.' })
  async listEvents(
    @CurrentPrincipal() principal: Principal | undefined,
    @Query() query: AlertEventsQueryDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AlertEventPageDto | undefined> {
    const userId = userOf(principal);
    if (!(request.headers.accept ?? '').includes('text/event-stream')) {
      return this.events.page(userId, query.after ?? 0, query.limit ?? 100);
    }
    reply.hijack();
    await streamEvents(
      this.hub,
      userId,
      sseResumePoint(request.headers['last-event-id'], query.after),
      request.raw,
      reply.raw,
    );

    return undefined;
  }

  @Post('events/ack')
  @HttpCode(200)
  @ApiOperation({ summary: 'Acknowledge your events up to a seq (the stored cursor).' })
  @ApiOkResponse({ type: AckedDto, description: 'Where the cursor stands.' })
  async ack(
    @CurrentPrincipal() principal: Principal | undefined,
    @Body() body: AckEventsDto,
  ): Promise<AckedDto> {
    return { ackedSeq: await this.events.ack(userOf(principal), body.seq) };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One of your alerts.' })
  @ApiOkResponse({ type: AlertDto, description: 'The alert.' })
  @ApiNotFoundResponse({ description: '`alerts.not_found`: no such alert of yours.' })
  get(
    @CurrentPrincipal() principal: Principal | undefined,
    @Param('id', new ParseUUIDPipe()) id: string,
  ): Promise<AlertDto> {
    return this.rules.get(userOf(principal), id);
  }

  @Patch(':id')
  @ApiOperation({
    summary: 'Change, pause or re-arm one of your alerts.',
    description: 'A changed condition or `active: true` re-arms it (crossings need a new tick).',
  })
  @ApiOkResponse({ type: AlertDto, description: 'The alert as changed.' })
  @ApiNotFoundResponse({ description: '`alerts.not_found`: no such alert of yours.' })
  @ApiUnprocessableEntityResponse({ description: INVALID })
  @ApiConflictResponse({ description: '`alerts.quota_exceeded` when re-activating.' })
  update(
    @CurrentPrincipal() principal: Principal | undefined,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: UpdateAlertDto,
  ): Promise<AlertDto> {
    return this.rules.update(userOf(principal), id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete one of your alerts (its fired events stay in your stream).' })
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiNotFoundResponse({ description: '`alerts.not_found`: no such alert of yours.' })
  remove(
    @CurrentPrincipal() principal: Principal | undefined,
    @Param('id', new ParseUUIDPipe()) id: string,
  ): Promise<void> {
    return this.rules.remove(userOf(principal), id);
  }
}
