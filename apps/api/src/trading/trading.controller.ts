import {
  CreateOrderDto,
  CreateQuoteDto,
  HoldingDto,
  OrderDto,
  OrderPageDto,
  QuoteDto,
  TradingService,
} from '@bourse/trading';
import {
  CurrentPrincipal,
  Idempotent,
  IdempotentCall,
  IdempotentResponse,
  PageQueryDto,
  RequireVerifiedEmail,
  type IdempotentRequest,
  type Principal,
} from '@bourse/platform';
import { Body, Controller, Get, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';

@ApiTags('trading')
@ApiForbiddenResponse({
  description:
    '`auth.forbidden`: only users trade (not API keys); `auth.email_unverified`; on a sell, `auth.step_up_required` (or `auth.two_factor_required`): prove the second factor at /v1/me/step-up first.',
})
@RequireVerifiedEmail()
@Controller('v1/trading')
export class TradingController {
  constructor(private readonly trading: TradingService) {}

  @Post('quotes')
  @Idempotent()
  @ApiOperation({
    summary: 'Quote a metal buy or sell on the live price.',
    description:
      'The ask (buy) or bid (sell) is the live mid price plus or minus the spread; the amounts round in the house’s favour. The quote is locked until `expiresAt`.',
  })
  @ApiCreatedResponse({ type: QuoteDto, description: 'The locked quote.' })
  @ApiUnprocessableEntityResponse({
    description:
      '`trading.invalid_quote_request` (send exactly one of `amount` and `weight`), `trading.amount_too_small`, each naming its `field`; `idempotency.key_mismatch`.',
  })
  @ApiConflictResponse({ description: '`idempotency.request_in_progress`.' })
  @ApiServiceUnavailableResponse({
    description: '`trading.price_stale`: no tick of the metal within the allowed age.',
  })
  quote(
    @CurrentPrincipal() principal: Principal | undefined,
    @Body() body: CreateQuoteDto,
    @IdempotentCall() call?: IdempotentRequest,
  ): Promise<QuoteDto | IdempotentResponse<QuoteDto>> {
    return this.trading.quote(principal, body, call);
  }

  @Post('orders')
  @Idempotent()
  @ApiOperation({
    summary: 'Execute a quote.',
    description:
      'Settles exactly at the quote’s amounts, whatever the price is now, in one linked ledger batch with the order.',
  })
  @ApiCreatedResponse({ type: OrderDto, description: 'The executed order.' })
  @ApiNotFoundResponse({
    description: '`trading.quote_not_found`: no such quote, or not yours (the same answer).',
  })
  @ApiConflictResponse({
    description:
      '`trading.quote_expired` (nothing written), `trading.quote_used` (it executed already), `idempotency.request_in_progress`.',
  })
  @ApiUnprocessableEntityResponse({
    description:
      '`ledger.insufficient_funds`: the wallet to pay from lacks the available balance (nothing written); `idempotency.key_mismatch`.',
  })
  placeOrder(
    @CurrentPrincipal() principal: Principal | undefined,
    @Body() body: CreateOrderDto,
    @IdempotentCall() call?: IdempotentRequest,
  ): Promise<OrderDto | IdempotentResponse<OrderDto>> {
    return this.trading.placeOrder(principal, body, call);
  }

  @Get('orders')
  @ApiOperation({ summary: 'Your orders.' })
  @ApiOkResponse({ type: OrderPageDto, description: 'Executed orders, newest first.' })
  @ApiBadRequestResponse({ description: '`trading.invalid_cursor`.' })
  orders(
    @CurrentPrincipal() principal: Principal | undefined,
    @Query() query: PageQueryDto,
  ): Promise<OrderPageDto> {
    return this.trading.orders(principal, query);
  }

  @Get('holdings')
  @ApiOperation({
    summary: 'Your metal holdings, valued live.',
    description:
      'Per metal: weight, cost basis and average cost, value at the last bid and unrealised P/L. For a live view, subscribe to `/prices` and revalue with the same formula (see libs/trading/README.md).',
  })
  @ApiOkResponse({ type: [HoldingDto], description: 'One entry per metal held.' })
  holdings(@CurrentPrincipal() principal: Principal | undefined): Promise<HoldingDto[]> {
    return this.trading.holdings(principal);
  }
}
