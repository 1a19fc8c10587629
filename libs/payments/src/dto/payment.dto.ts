import { IsMinorUnits, IsOptionalMinorUnits } from '@bourse/ledger';
import { AdminActionDto, PageQueryDto } from '@bourse/platform';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, Matches } from 'class-validator';
import {
  CAPTURE_MODES,
  DECLINE_CODES,
  PAYMENT_PROVIDERS,
  PAYMENT_STATES,
  type CaptureMode,
  type DeclineCode,
  type Payment,
  type PaymentProvider,
  type PaymentState,
} from '../payments.types';

export class CreatePaymentDto {
  @IsMinorUnits('Minor units of the asset to pay, as a decimal string ("1250" is 12.50 USD).')
  amount!: string;

  @ApiProperty({ example: 'USD', description: 'Ledger asset (and currency) of the payment.' })
  @IsString()
  @Matches(/^[A-Z][A-Z0-9]{1,9}$/, { message: '$property must be an asset code such as USD' })
  asset!: string;

  @ApiProperty({
    example: 'wallet_deposit',
    description:
      "What is paid for, as declared by the lib that settles it: `wallet_deposit` credits the payer's wallet.",
  })
  @IsString()
  @Matches(/^[a-z][a-z0-9_.]{0,63}$/, { message: '$property must be a declared purpose' })
  purpose!: string;

  @ApiProperty({ enum: PAYMENT_PROVIDERS, description: 'Who processes the payment.' })
  @IsIn(PAYMENT_PROVIDERS)
  provider!: PaymentProvider;

  @ApiPropertyOptional({
    enum: CAPTURE_MODES,
    default: 'automatic',
    description:
      '`automatic`: captured as soon as the payer authorises; `manual`: authorised only, captured later (partially, possibly several times) or cancelled.',
  })
  @IsOptional()
  @IsIn(CAPTURE_MODES)
  captureMode?: CaptureMode;
}

export class PaymentsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description: "Staff only (`support`, `admin`): one user's payments; without it, everyone's.",
  })
  @IsOptional()
  @IsUUID()
  ownerId?: string;
}

export class RefundPaymentDto extends AdminActionDto {
  @IsOptionalMinorUnits('Minor units to refund; absent: everything captured and not yet refunded.')
  amount?: string;
}

export class PaymentDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid', description: 'The paying user.' })
  ownerId!: string;

  @ApiProperty({ example: 'wallet_deposit' })
  purpose!: string;

  @ApiProperty({ enum: PAYMENT_PROVIDERS })
  provider!: PaymentProvider;

  @ApiProperty({ enum: CAPTURE_MODES })
  captureMode!: CaptureMode;

  @ApiProperty({ example: 'USD' })
  asset!: string;

  @ApiProperty({ example: '1250', description: 'Authorised amount, minor units.' })
  amount!: string;

  @ApiProperty({ example: '1250', description: 'Captured and settled in the ledger so far.' })
  captured!: string;

  @ApiProperty({ example: '0', description: 'Refunded so far; never more than `captured`.' })
  refunded!: string;

  @ApiProperty({
    example: '66',
    description:
      "The provider's fee on the captures, as it reported it (Stripe's balance transactions, PayPal's `paypal_fee`); booked as its own ledger leg.",
  })
  fee!: string;

  @ApiProperty({
    enum: PAYMENT_STATES,
    description:
      '`requires_action` (the payer has to authorise) → `processing` → `requires_capture` (manual capture) → `succeeded` | `failed` | `cancelled` (terminal).',
  })
  state!: PaymentState;

  @ApiProperty({
    enum: DECLINE_CODES,
    nullable: true,
    description: "The provider's last decline, normalised.",
  })
  declineCode!: DeclineCode | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description:
      "What the payer's client needs to authorise: the Stripe PaymentIntent's client secret (Stripe.js `confirmPayment`). Shown to the payer only.",
  })
  clientSecret!: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description:
      "Where the payer approves a PayPal order (the order's `approve` link). Shown to the payer only.",
  })
  approvalUrl!: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;
}

export class PaymentPageDto {
  @ApiProperty({ type: [PaymentDto], description: 'Newest first.' })
  payments!: PaymentDto[];

  @ApiPropertyOptional({ description: 'Pass as `cursor` for the next page; absent on the last.' })
  nextCursor?: string;
}

/** `forPayer`: the client secret is the payer's to see, not staff's. */
export function toPaymentDto(payment: Payment, forPayer: boolean): PaymentDto {
  return {
    id: payment.id,
    ownerId: payment.ownerId,
    purpose: payment.purpose,
    provider: payment.provider,
    captureMode: payment.captureMode,
    asset: payment.asset,
    amount: payment.amount.toString(),
    captured: payment.captured.toString(),
    refunded: payment.refunded.toString(),
    fee: payment.fee.toString(),
    state: payment.state,
    declineCode: payment.declineCode,
    clientSecret: forPayer ? payment.clientSecret : null,
    approvalUrl: forPayer ? payment.approvalUrl : null,
    createdAt: payment.createdAt.toISOString(),
    updatedAt: payment.updatedAt.toISOString(),
  };
}
