import {
  CreateResellerDto,
  CreateResellerKeyDto,
  DepositDto,
  OrderActionDto,
  TopupOrderDto,
  OrdersService,
  ResellerDto,
  ResellerKeyDto,
  ResellersService,
} from '@bourse/orders';
import { StatementPageDto } from '@bourse/ledger';
import {
  CurrentPrincipal,
  Idempotent,
  IdempotentCall,
  IdempotentResponse,
  PageQueryDto,
  pageOf,
  Roles,
  type IdempotentRequest,
  type Principal,
} from '@bourse/platform';
import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';

/** Staff's top-up operations: stuck orders, cancels, refunds, and resellers. */
@ApiTags('topup')
@ApiBearerAuth('bearer')
@Roles('admin')
@ApiUnauthorizedResponse({ description: 'Missing, invalid or expired access token.' })
@ApiForbiddenResponse({ description: '`auth.forbidden`: admins only.' })
@Controller('v1/topup')
export class TopupAdminController {
  constructor(
    private readonly orders: OrdersService,
    private readonly resellers: ResellersService,
  ) {}

  @Post('orders/:id/retry')
  @HttpCode(200)
  @ApiOperation({
    summary: "Run an order's current step again.",
    description:
      'For an order stuck in an unfinished state; every step is safe to run twice. Audited.',
  })
  @ApiOkResponse({ type: TopupOrderDto })
  @ApiNotFoundResponse({ description: '`orders.order_not_found`.' })
  retry(
    @CurrentPrincipal() principal: Principal | undefined,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: OrderActionDto,
  ): Promise<TopupOrderDto> {
    return this.orders.retry(id, { actor: principal, reason: body.reason });
  }

  @Post('orders/:id/cancel')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Cancel an order not yet submitted.',
    description: 'Releases the hold or the card authorisation. Audited.',
  })
  @ApiOkResponse({ type: TopupOrderDto })
  @ApiNotFoundResponse({ description: '`orders.order_not_found`.' })
  @ApiConflictResponse({ description: '`orders.illegal_transition`: already submitted or final.' })
  cancel(
    @CurrentPrincipal() principal: Principal | undefined,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: OrderActionDto,
  ): Promise<TopupOrderDto> {
    return this.orders.cancel(id, { actor: principal, reason: body.reason });
  }

  @Post('orders/:id/refund')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Refund a delivered order.',
    description:
      'When the operator reversed the top-up: the order goes `refunding` and the worker reverses every posting of its delivery. Audited.',
  })
  @ApiOkResponse({ type: TopupOrderDto })
  @ApiNotFoundResponse({ description: '`orders.order_not_found`.' })
  @ApiConflictResponse({ description: '`orders.illegal_transition`: not delivered.' })
  refund(
    @CurrentPrincipal() principal: Principal | undefined,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: OrderActionDto,
  ): Promise<TopupOrderDto> {
    return this.orders.refund(id, { actor: principal, reason: body.reason });
  }

  @Post('resellers')
  @Idempotent()
  @ApiOperation({
    summary: 'Create a reseller.',
    description:
      'A float-owning user (role `reseller`, nobody signs in as it), its pricing and commission. Audited; idempotent by `Idempotency-Key`.',
  })
  @ApiCreatedResponse({ type: ResellerDto })
  @ApiConflictResponse({ description: '`auth.email_taken`; `idempotency.request_in_progress`.' })
  create(
    @CurrentPrincipal() principal: Principal | undefined,
    @Body() body: CreateResellerDto,
    @IdempotentCall() call?: IdempotentRequest,
  ): Promise<ResellerDto | IdempotentResponse<ResellerDto>> {
    return this.resellers.create(body, { actor: principal }, call);
  }

  @Get('resellers')
  @ApiOperation({ summary: 'Every reseller with its float.' })
  @ApiOkResponse({ type: [ResellerDto] })
  list(): Promise<ResellerDto[]> {
    return this.resellers.list();
  }

  @Get('resellers/:id')
  @ApiOperation({ summary: 'One reseller with its float.' })
  @ApiOkResponse({ type: ResellerDto })
  @ApiNotFoundResponse({ description: '`orders.reseller_not_found`.' })
  get(@Param('id', new ParseUUIDPipe()) id: string): Promise<ResellerDto> {
    return this.resellers.get(id);
  }

  @Post('resellers/:id/api-keys')
  @ApiOperation({
    summary: "Issue an API key for the reseller's systems.",
    description: 'Scope `topup` (and `webhooks` unless refused); the key is in this answer only.',
  })
  @ApiCreatedResponse({ type: ResellerKeyDto })
  @ApiNotFoundResponse({ description: '`orders.reseller_not_found`.' })
  issueKey(
    @CurrentPrincipal() principal: Principal | undefined,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: CreateResellerKeyDto,
  ): Promise<ResellerKeyDto> {
    return this.resellers.issueKey(id, body, { actor: principal });
  }

  @Post('resellers/:id/deposits')
  @Idempotent()
  @ApiOperation({
    summary: 'Credit money the reseller wired to its float.',
    description: 'From the house account. Audited; idempotent by `Idempotency-Key`.',
  })
  @ApiCreatedResponse({ type: ResellerDto, description: 'The reseller with its new float.' })
  @ApiNotFoundResponse({ description: '`orders.reseller_not_found`.' })
  @ApiUnprocessableEntityResponse({ description: 'Invalid `amount`; `idempotency.key_mismatch`.' })
  deposit(
    @CurrentPrincipal() principal: Principal | undefined,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: DepositDto,
    @IdempotentCall() call?: IdempotentRequest,
  ): Promise<ResellerDto | IdempotentResponse<ResellerDto>> {
    return this.resellers.deposit(
      id,
      BigInt(body.amount),
      { actor: principal, reason: body.reason },
      call,
    );
  }

  @Get('resellers/:id/statement')
  @ApiOperation({ summary: "The reseller's float statement, newest first." })
  @ApiOkResponse({ type: StatementPageDto })
  @ApiNotFoundResponse({ description: '`orders.reseller_not_found`.' })
  statement(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Query() query: PageQueryDto,
  ): Promise<StatementPageDto> {
    return this.resellers.statement(id, pageOf(query));
  }
}
