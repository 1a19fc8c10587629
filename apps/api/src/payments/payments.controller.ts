import {
  CreatePaymentDto,
  PaymentDto,
  PaymentPageDto,
  PaymentsQueryDto,
  PaymentsService,
  RefundPaymentDto,
} from '@bourse/payments';
import {
  CurrentPrincipal,
  Idempotent,
  IdempotentCall,
  IdempotentResponse,
  pageOf,
  RequireVerifiedEmail,
  Roles,
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
  ApiResponse,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnauthorizedResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';

const NOT_FOUND =
  '`payments.payment_not_found`: no such payment, or you may not see it (the same answer for both).';

@ApiTags('payments')
@ApiBearerAuth('bearer')
@ApiUnauthorizedResponse({ description: 'Missing, invalid or expired access token.' })
@Controller('v1/payments')
export class PaymentsController {
  constructor(private readonly payments: PaymentsService) {}

  @Post()
  @Idempotent()
  @RequireVerifiedEmail()
  @ApiOperation({
    summary: 'Start a payment.',
    description:
      'Creates the intent here and at the provider. The payer authorises with what is returned (Stripe: `clientSecret` for Stripe.js); the provider confirms by webhook, and the capture is settled in the ledger (`wallet_deposit`: the wallet is credited). Idempotent by `Idempotency-Key`.',
  })
  @ApiCreatedResponse({ type: PaymentDto, description: 'The payment, `requires_action`.' })
  @ApiForbiddenResponse({
    description: '`auth.forbidden`: only users pay (not API keys); `auth.email_unverified`.',
  })
  @ApiConflictResponse({ description: '`idempotency.request_in_progress`.' })
  @ApiUnprocessableEntityResponse({
    description:
      '`payments.unknown_purpose` or `ledger.asset_not_found` (naming the field); `idempotency.key_mismatch`.',
  })
  @ApiServiceUnavailableResponse({
    description:
      '`payments.provider_unavailable`: the provider did not answer; retry with the key.',
  })
  create(
    @CurrentPrincipal() principal: Principal | undefined,
    @Body() body: CreatePaymentDto,
    @IdempotentCall() call?: IdempotentRequest,
  ): Promise<PaymentDto | IdempotentResponse<PaymentDto>> {
    return this.payments.create(principal, body, call);
  }

  @Get()
  @ApiOperation({ summary: 'Payments, newest first.' })
  @ApiOkResponse({
    type: PaymentPageDto,
    description: "The caller's payments; `support` and admins see everyone's (or `ownerId`'s).",
  })
  list(
    @CurrentPrincipal() principal: Principal | undefined,
    @Query() query: PaymentsQueryDto,
  ): Promise<PaymentPageDto> {
    return this.payments.list(principal, { ownerId: query.ownerId, ...pageOf(query) });
  }

  @Get(':id')
  @ApiOperation({ summary: 'One payment.' })
  @ApiOkResponse({
    type: PaymentDto,
    description: 'The payment, to its payer, `support` or admins.',
  })
  @ApiNotFoundResponse({ description: NOT_FOUND })
  get(
    @CurrentPrincipal() principal: Principal | undefined,
    @Param('id', new ParseUUIDPipe()) id: string,
  ): Promise<PaymentDto> {
    return this.payments.get(principal, id);
  }

  @Post(':id/refunds')
  @Roles('admin')
  @Idempotent()
  @ApiOperation({
    summary: 'Refund a payment.',
    description:
      'Partially or fully; the sum of refunds never exceeds what was captured. The settlement account (the wallet, for deposits) is debited in the same transaction as the provider is asked. Recorded in the audit log. Idempotent by `Idempotency-Key`.',
  })
  @ApiResponse({ status: 201, type: PaymentDto, description: 'The payment with its new total.' })
  @ApiNotFoundResponse({ description: '`payments.payment_not_found`.' })
  @ApiConflictResponse({
    description:
      '`payments.provider_refused`: the provider disagrees; `idempotency.request_in_progress`.',
  })
  @ApiUnprocessableEntityResponse({
    description:
      '`payments.amount_too_large`: more than is captured and not refunded; `ledger.insufficient_funds`: the wallet no longer holds it; `idempotency.key_mismatch`.',
  })
  @ApiServiceUnavailableResponse({
    description: '`payments.provider_unavailable`: nothing was refunded; retry with the key.',
  })
  refund(
    @CurrentPrincipal() principal: Principal | undefined,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: RefundPaymentDto,
    @IdempotentCall() call?: IdempotentRequest,
  ): Promise<PaymentDto | IdempotentResponse<PaymentDto>> {
    return this.payments.refundAsAdmin(
      id,
      body.amount === undefined ? undefined : BigInt(body.amount),
      { actor: principal, reason: body.reason },
      call,
    );
  }
}
