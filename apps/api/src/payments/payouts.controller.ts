import {
  CreatePayoutDto,
  PayoutDto,
  PayoutPageDto,
  PayoutsQueryDto,
  PayoutsService,
} from '@bourse/payments';
import {
  CurrentPrincipal,
  Idempotent,
  IdempotentCall,
  IdempotentResponse,
  pageOf,
  RequireStepUp,
  RequireVerifiedEmail,
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
  ApiTags,
  ApiUnauthorizedResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';

@ApiTags('payments')
@ApiBearerAuth('bearer')
@ApiUnauthorizedResponse({ description: 'Missing, invalid or expired access token.' })
@Controller('v1/payouts')
export class PayoutsController {
  constructor(private readonly payouts: PayoutsService) {}

  @Post()
  @RequireVerifiedEmail()
  @RequireStepUp()
  @Idempotent()
  @ApiOperation({
    summary: 'Withdraw to a PayPal account.',
    description:
      "Holds the amount on the caller's wallet and sends it to PayPal (Payouts API) from the worker. PayPal's events then settle it: `paid` posts the hold, `failed` or `returned` releases it. Idempotent by `Idempotency-Key`.",
  })
  @ApiCreatedResponse({ type: PayoutDto, description: 'The payout, `pending`.' })
  @ApiForbiddenResponse({ description: '`auth.forbidden`: only users withdraw (not API keys).' })
  @ApiConflictResponse({ description: '`idempotency.request_in_progress`.' })
  @ApiUnprocessableEntityResponse({
    description:
      '`ledger.insufficient_funds`: the wallet does not hold the amount; `ledger.asset_not_found` (naming the field); `idempotency.key_mismatch`.',
  })
  create(
    @CurrentPrincipal() principal: Principal | undefined,
    @Body() body: CreatePayoutDto,
    @IdempotentCall() call?: IdempotentRequest,
  ): Promise<PayoutDto | IdempotentResponse<PayoutDto>> {
    return this.payouts.request(principal, body, call);
  }

  @Get()
  @ApiOperation({ summary: 'Payouts, newest first.' })
  @ApiOkResponse({
    type: PayoutPageDto,
    description: "The caller's payouts; `support` and admins see everyone's (or `ownerId`'s).",
  })
  list(
    @CurrentPrincipal() principal: Principal | undefined,
    @Query() query: PayoutsQueryDto,
  ): Promise<PayoutPageDto> {
    return this.payouts.list(principal, { ownerId: query.ownerId, ...pageOf(query) });
  }

  @Get(':id')
  @ApiOperation({ summary: 'One payout.' })
  @ApiOkResponse({ type: PayoutDto, description: 'The payout, to its owner, `support` or admins.' })
  @ApiNotFoundResponse({
    description:
      '`payments.payout_not_found`: no such payout, or you may not see it (the same answer for both).',
  })
  get(
    @CurrentPrincipal() principal: Principal | undefined,
    @Param('id', new ParseUUIDPipe()) id: string,
  ): Promise<PayoutDto> {
    return this.payouts.get(principal, id);
  }
}
