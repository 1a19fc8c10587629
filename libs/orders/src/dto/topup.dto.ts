import { IsMinorUnits } from '@bourse/ledger';
import { AdminActionDto, PageQueryDto } from '@bourse/platform';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsEmail,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { ORDER_STATES, type OrderState } from '../order-states';
import { PAY_WITH, type PayWith, type Product, type Quote, type Reseller } from '../orders.types';

const PHONE = /^\+[1-9]\d{6,14}$/;

export class ProductsQueryDto {
  @ApiPropertyOptional({
    example: 'MEX',
    description: 'ISO 3166-1 alpha-3 code of the destination country (as the aggregator names it).',
  })
  @IsOptional()
  @Matches(/^[A-Z]{3}$/, { message: '$property must be an ISO 3166-1 alpha-3 code such as MEX' })
  country?: string;

  @ApiPropertyOptional({
    example: '+525512345678',
    description: "The phone to top up, E.164: its operator's products only.",
  })
  @IsOptional()
  @Matches(PHONE, { message: '$property must be an E.164 phone number such as +525512345678' })
  phone?: string;
}

export class ProductDto {
  @ApiProperty({ example: '10000', description: "The aggregator's product id." })
  id!: string;

  @ApiProperty({ example: '10 USD airtime' })
  name!: string;

  @ApiProperty({ example: '1000' })
  operatorId!: string;

  @ApiProperty({ example: 'Movil Mexico' })
  operatorName!: string;

  @ApiProperty({ example: 'MEX', description: 'ISO 3166-1 alpha-3.' })
  country!: string;

  @ApiProperty({ example: '171', description: 'What the phone receives, a decimal string.' })
  destinationAmount!: string;

  @ApiProperty({ example: 'MXN' })
  destinationCurrency!: string;

  @ApiProperty({ example: '950', description: 'Our cost, minor units of `costAsset`.' })
  cost!: string;

  @ApiProperty({ example: 'USD' })
  costAsset!: string;
}

export class ProductsDto {
  @ApiPropertyOptional({ example: '+525512345678', description: 'The phone, normalised to E.164.' })
  phone?: string;

  @ApiPropertyOptional({ example: '1000', description: "The phone's operator." })
  operatorId?: string;

  @ApiProperty({ type: [ProductDto] })
  products!: ProductDto[];
}

export const toProductDto = (p: Product): ProductDto => ({
  id: p.id,
  name: p.name,
  operatorId: p.operatorId,
  operatorName: p.operatorName,
  country: p.countryIso,
  destinationAmount: p.destinationAmount,
  destinationCurrency: p.destinationCurrency,
  cost: p.wholesale.toString(),
  costAsset: p.wholesaleAsset,
});

export class CreateTopupQuoteDto {
  @ApiProperty({ example: '10000', description: 'A product of the phone’s operator.' })
  @Matches(/^\d{1,18}$/, { message: '$property must be a product id' })
  productId!: string;

  @ApiProperty({ example: '+525512345678', description: 'The phone to top up, E.164.' })
  @Matches(PHONE, { message: '$property must be an E.164 phone number such as +525512345678' })
  phone!: string;
}

export class TopupQuoteDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: '10000' })
  productId!: string;

  @ApiProperty({ example: '+525512345678' })
  phone!: string;

  @ApiProperty({ example: 'USD', description: 'What the payer pays in.' })
  asset!: string;

  @ApiProperty({ example: '950', description: "The aggregator's cost, minor units." })
  cost!: string;

  @ApiProperty({ example: '29', description: 'Our fee (the reseller pricing for resellers).' })
  fee!: string;

  @ApiProperty({
    example: '14',
    description: 'What a reseller earns on delivery (0 for consumers).',
  })
  commission!: string;

  @ApiProperty({ example: '979', description: 'What the payer pays: cost + fee.' })
  price!: string;

  @ApiProperty({
    example: '18.000000',
    description: 'Destination currency units per unit of `asset`, as the product prices them.',
  })
  fxRate!: string;

  @ApiProperty({ example: '171' })
  destinationAmount!: string;

  @ApiProperty({ example: 'MXN' })
  destinationCurrency!: string;

  @ApiProperty({ description: 'Order before this; afterwards ask again.' })
  expiresAt!: string;
}

export const toQuoteDto = (q: Quote): TopupQuoteDto => ({
  id: q.id,
  productId: q.productId,
  phone: q.phone,
  asset: q.asset,
  cost: q.cost.toString(),
  fee: q.fee.toString(),
  commission: q.commission.toString(),
  price: q.price.toString(),
  fxRate: q.fxRate,
  destinationAmount: q.destinationAmount,
  destinationCurrency: q.destinationCurrency,
  expiresAt: q.expiresAt.toISOString(),
});

export class CreateTopupOrderDto {
  @ApiProperty({ format: 'uuid', description: 'The quote to order (once).' })
  @IsUUID()
  quoteId!: string;

  @ApiPropertyOptional({
    enum: PAY_WITH,
    description:
      'Consumers: `wallet` (the default), `stripe` or `paypal` (authorised now, captured on delivery). Resellers: `float` (the default and only one).',
  })
  @IsOptional()
  @IsIn(PAY_WITH)
  payWith?: PayWith;
}

export class OrderEventDto {
  @ApiPropertyOptional({ enum: ORDER_STATES, nullable: true, type: String })
  from!: OrderState | null;

  @ApiProperty({ enum: ORDER_STATES })
  to!: OrderState;

  @ApiProperty({ example: 1 })
  version!: number;

  @ApiPropertyOptional({ example: 'aggregator declined', nullable: true, type: String })
  reason!: string | null;

  @ApiProperty()
  at!: string;
}

export class TopupOrderDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ enum: ORDER_STATES })
  state!: OrderState;

  @ApiProperty({ description: 'Raised by each transition.' })
  version!: number;

  @ApiProperty({ format: 'uuid' })
  quoteId!: string;

  @ApiPropertyOptional({ format: 'uuid', nullable: true, type: String })
  resellerId!: string | null;

  @ApiProperty({ example: '10000' })
  productId!: string;

  @ApiProperty({ example: '+525512345678' })
  phone!: string;

  @ApiProperty({ example: 'USD' })
  asset!: string;

  @ApiProperty({ example: '950' })
  cost!: string;

  @ApiProperty({ example: '29' })
  fee!: string;

  @ApiProperty({ example: '0' })
  commission!: string;

  @ApiProperty({ example: '979' })
  price!: string;

  @ApiProperty({ enum: PAY_WITH })
  payWith!: PayWith;

  @ApiPropertyOptional({
    format: 'uuid',
    nullable: true,
    type: String,
    description: 'The card or PayPal payment (GET /v1/payments/{id}).',
  })
  paymentId!: string | null;

  @ApiPropertyOptional({
    nullable: true,
    type: String,
    description:
      "Stripe's client secret to confirm with, in the answer to the order's creation only.",
  })
  clientSecret?: string | null;

  @ApiPropertyOptional({
    nullable: true,
    type: String,
    description: 'PayPal approval link, in the answer to the creation only.',
  })
  approvalUrl?: string | null;

  @ApiPropertyOptional({
    nullable: true,
    type: String,
    description: "The aggregator's transaction id.",
  })
  aggregatorRef!: string | null;

  @ApiPropertyOptional({ nullable: true, type: String, example: 'aggregator_declined' })
  failureReason!: string | null;

  @ApiPropertyOptional({ nullable: true, type: String })
  paidAt!: string | null;

  @ApiPropertyOptional({ nullable: true, type: String })
  deliveredAt!: string | null;

  @ApiProperty()
  createdAt!: string;

  @ApiProperty({ type: [OrderEventDto], description: 'Every transition, oldest first.' })
  events!: OrderEventDto[];
}

export class TopupOrderPageDto {
  @ApiProperty({ type: [TopupOrderDto], description: 'Newest first, without their events.' })
  orders!: TopupOrderDto[];

  @ApiPropertyOptional({ description: 'Pass as `cursor` for the next page.' })
  nextCursor?: string;
}

export class OrdersQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: ORDER_STATES, description: 'Only orders in this state.' })
  @IsOptional()
  @IsIn(ORDER_STATES)
  state?: OrderState;
}

export class OrderActionDto extends AdminActionDto {}

export class CreateResellerDto {
  @ApiProperty({ example: 'Corner Shop Ltd' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name!: string;

  @ApiProperty({ example: 'ops@cornershop.example', description: "The reseller's contact." })
  @IsEmail()
  @MaxLength(254)
  email!: string;

  @ApiPropertyOptional({
    example: 200,
    description: 'Our fee on its top-ups, basis points of cost.',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(10000)
  feeBps?: number;

  @ApiPropertyOptional({
    example: 100,
    description: 'Its commission, basis points of cost, paid out of the fee (≤ feeBps).',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(10000)
  commissionBps?: number;
}

export class ResellerDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty()
  name!: string;

  @ApiProperty({ format: 'uuid', description: 'The user owning its float (its wallet).' })
  userId!: string;

  @ApiProperty({ example: 'USD' })
  asset!: string;

  @ApiProperty({ example: 200 })
  feeBps!: number;

  @ApiProperty({ example: 100 })
  commissionBps!: number;

  @ApiProperty({ example: '100000', description: 'Float balance available, minor units.' })
  floatAvailable!: string;

  @ApiProperty()
  createdAt!: string;
}

export const toResellerDto = (r: Reseller, floatAvailable: bigint): ResellerDto => ({
  id: r.id,
  name: r.name,
  userId: r.userId,
  asset: r.asset,
  feeBps: r.feeBps,
  commissionBps: r.commissionBps,
  floatAvailable: floatAvailable.toString(),
  createdAt: r.createdAt.toISOString(),
});

export class CreateResellerKeyDto {
  @ApiProperty({ example: 'shop till 1' })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name!: string;

  @ApiPropertyOptional({
    default: true,
    description: 'Also grant `webhooks`, so the key can register the endpoints its events go to.',
  })
  @IsOptional()
  @IsIn([true, false])
  webhooks?: boolean;
}

export class ResellerKeyDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ type: [String], example: ['topup', 'webhooks'] })
  scopes!: string[];

  @ApiProperty({ description: '`ApiKey <key>`: shown this once.' })
  key!: string;
}

export class DepositDto extends AdminActionDto {
  @IsMinorUnits('Minor units received from the reseller (a bank transfer), credited to its float.')
  amount!: string;
}
