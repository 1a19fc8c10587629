import {
  CreateTopupOrderDto,
  CreateTopupQuoteDto,
  TopupOrderDto,
  TopupOrderPageDto,
  OrdersQueryDto,
  OrdersService,
  ProductsDto,
  ProductsQueryDto,
  TopupQuoteDto,
  TOPUP_SCOPE,
} from '@bourse/orders';
import {
  ApiKeyScopes,
  CurrentPrincipal,
  Idempotent,
  IdempotentCall,
  IdempotentResponse,
  pageOf,
  type IdempotentRequest,
  type Principal,
} from '@bourse/platform';
import { Body, Controller, Get, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiSecurity,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnauthorizedResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';

const NOT_FOUND =
  '`orders.order_not_found`: no such order, or you may not see it (the same answer for both).';

/**
 * Mobile top-ups for consumers (signed in) and resellers (an API key with the `topup` scope):
 * the catalogue, quotes and orders (libs/orders/README.md).
 */
@ApiTags('topup')
@ApiBearerAuth('bearer')
@ApiSecurity('apiKey')
@ApiKeyScopes(TOPUP_SCOPE)
@ApiUnauthorizedResponse({ description: 'Missing or invalid credentials.' })
@Controller('v1/topup')
export class TopupController {
  constructor(private readonly orders: OrdersService) {}

  @Get('products')
  @ApiOperation({
    summary: 'Top-up products for a country or a phone number.',
    description:
      "With `phone` (E.164, validated) the number's operator is looked up at the aggregator and only its products answered.",
  })
  @ApiOkResponse({ type: ProductsDto })
  @ApiUnprocessableEntityResponse({
    description:
      '`orders.invalid_phone` or `orders.operator_not_found` (naming `phone` or `country`).',
  })
  @ApiServiceUnavailableResponse({ description: '`orders.aggregator_unavailable`.' })
  products(@Query() query: ProductsQueryDto): Promise<ProductsDto> {
    return this.orders.products(query);
  }

  @Post('quotes')
  @ApiOperation({
    summary: 'Price a top-up.',
    description:
      "The price in the payer's asset: the aggregator's cost plus our fee (a reseller's own pricing for resellers), the FX rate the product implies, valid for TOPUP_QUOTE_TTL_SECONDS.",
  })
  @ApiCreatedResponse({ type: TopupQuoteDto })
  @ApiForbiddenResponse({ description: '`orders.not_a_reseller`: the API key has no reseller.' })
  @ApiUnprocessableEntityResponse({
    description: '`orders.invalid_phone`, `orders.operator_not_found`, `orders.product_not_found`.',
  })
  @ApiServiceUnavailableResponse({ description: '`orders.aggregator_unavailable`.' })
  quote(
    @CurrentPrincipal() principal: Principal | undefined,
    @Body() body: CreateTopupQuoteDto,
  ): Promise<TopupQuoteDto> {
    return this.orders.quote(principal, body);
  }

  @Post('orders')
  @Idempotent()
  @ApiOperation({
    summary: 'Order a quote.',
    description:
      'Wallet and float orders hold the price at once (`paid`) and are submitted to the aggregator; card and PayPal orders answer the `clientSecret` or `approvalUrl` to authorise with (`payment_pending`), and are captured on delivery. Never charged without delivery or refund. Idempotent by `Idempotency-Key`.',
  })
  @ApiCreatedResponse({ type: TopupOrderDto, description: 'The order and its first events.' })
  @ApiNotFoundResponse({ description: '`orders.quote_not_found`.' })
  @ApiForbiddenResponse({ description: '`orders.not_a_reseller`.' })
  @ApiConflictResponse({
    description: '`orders.quote_expired`, `orders.quote_used`; `idempotency.request_in_progress`.',
  })
  @ApiUnprocessableEntityResponse({
    description:
      '`orders.float_insufficient` (nothing written), `orders.wallet_insufficient`, `orders.invalid_payment_method`; `idempotency.key_mismatch`.',
  })
  create(
    @CurrentPrincipal() principal: Principal | undefined,
    @Body() body: CreateTopupOrderDto,
    @IdempotentCall() call?: IdempotentRequest,
  ): Promise<TopupOrderDto | IdempotentResponse<TopupOrderDto>> {
    return this.orders.create(principal, body, call);
  }

  @Get('orders')
  @ApiOperation({ summary: 'Top-up orders, newest first.' })
  @ApiOkResponse({
    type: TopupOrderPageDto,
    description: "The caller's (a reseller's: all of its keys'); `support` and admins see all.",
  })
  list(
    @CurrentPrincipal() principal: Principal | undefined,
    @Query() query: OrdersQueryDto,
  ): Promise<TopupOrderPageDto> {
    return this.orders.list(principal, { state: query.state, ...pageOf(query) });
  }

  @Get('orders/:id')
  @ApiOperation({ summary: 'One order with its event history.' })
  @ApiOkResponse({ type: TopupOrderDto })
  @ApiNotFoundResponse({ description: NOT_FOUND })
  get(
    @CurrentPrincipal() principal: Principal | undefined,
    @Param('id', new ParseUUIDPipe()) id: string,
  ): Promise<TopupOrderDto> {
    return this.orders.get(principal, id);
  }
}
