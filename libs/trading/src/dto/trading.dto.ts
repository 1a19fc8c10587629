import { IsOptionalMinorUnits } from '@bourse/ledger';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsUUID } from 'class-validator';
import { formatPrice } from '../pricing';
import {
  CASH_ASSET,
  METALS,
  SIDES,
  type Metal,
  type Order,
  type Quote,
  type Side,
} from '../trading.types';

export class CreateQuoteDto {
  @ApiProperty({ enum: METALS, description: 'Metal to trade: gold, silver or platinum.' })
  @IsIn(METALS)
  metal!: Metal;

  @ApiProperty({ enum: SIDES, description: '`buy` at the ask, or `sell` at the bid.' })
  @IsIn(SIDES)
  side!: Side;

  @IsOptionalMinorUnits(
    'Cash in USD cents: for a buy the most to spend, fee included; for a sell the least to receive after the fee. Exactly one of `amount` and `weight`.',
  )
  amount?: string;

  @IsOptionalMinorUnits(
    "Metal weight in the metal's minor unit (milligrams: `1000` is one gram). Exactly one of `amount` and `weight`.",
  )
  weight?: string;
}

export class QuoteDto {
  @ApiProperty({ format: 'uuid', description: 'Quote id: send it to `POST /v1/trading/orders`.' })
  id!: string;

  @ApiProperty({ enum: METALS, description: 'Metal.' })
  metal!: Metal;

  @ApiProperty({ enum: SIDES, description: 'Side.' })
  side!: Side;

  @ApiProperty({ example: 'USD', description: 'Cash asset of `gross`, `fee` and `total`.' })
  currency!: string;

  @ApiProperty({
    example: '2663.25',
    description: 'Locked price, USD per troy ounce: the ask for a buy, the bid for a sell.',
  })
  price!: string;

  @ApiProperty({ example: '2650.00', description: 'The live mid price it was made from.' })
  mid!: string;

  @ApiProperty({ example: '10000', description: 'Metal weight, milligrams.' })
  weight!: string;

  @ApiProperty({ example: '856300', description: 'Value of the weight at `price`, cents.' })
  gross!: string;

  @ApiProperty({ example: '2141', description: 'Fee, cents (its own ledger leg).' })
  fee!: string;

  @ApiProperty({
    example: '858441',
    description: 'Buy: what you pay (gross + fee). Sell: what you receive (gross − fee). Cents.',
  })
  total!: string;

  @ApiProperty({ type: String, format: 'date-time', description: 'Time of the price used.' })
  priceAt!: Date;

  @ApiProperty({
    type: String,
    format: 'date-time',
    description: 'After this, ordering on the quote is refused with `trading.quote_expired`.',
  })
  expiresAt!: Date;
}

export class CreateOrderDto {
  @ApiProperty({ format: 'uuid', description: 'The quote to execute, exactly at its amounts.' })
  @IsUUID()
  quoteId!: string;
}

export class OrderDto {
  @ApiProperty({ format: 'uuid', description: 'Order id.' })
  id!: string;

  @ApiProperty({ format: 'uuid', description: 'The quote it executed.' })
  quoteId!: string;

  @ApiProperty({ enum: METALS, description: 'Metal.' })
  metal!: Metal;

  @ApiProperty({ enum: SIDES, description: 'Side.' })
  side!: Side;

  @ApiProperty({ example: 'USD', description: 'Cash asset.' })
  currency!: string;

  @ApiProperty({ example: '2663.25', description: 'Executed price, USD per troy ounce.' })
  price!: string;

  @ApiProperty({ example: '10000', description: 'Metal weight, milligrams.' })
  weight!: string;

  @ApiProperty({ example: '856300', description: 'Value of the weight at `price`, cents.' })
  gross!: string;

  @ApiProperty({ example: '2141', description: 'Fee, cents.' })
  fee!: string;

  @ApiProperty({ example: '858441', description: 'Cash paid (buy) or received (sell), cents.' })
  total!: string;

  @ApiProperty({ type: String, format: 'date-time', description: 'When it executed.' })
  createdAt!: Date;
}

export class OrderPageDto {
  @ApiProperty({ type: [OrderDto], description: 'Your orders, newest first.' })
  items!: OrderDto[];

  @ApiPropertyOptional({
    description: 'Pass as `cursor` for the next (older) page; absent on the last page.',
  })
  nextCursor?: string;
}

export class HoldingDto {
  @ApiProperty({ enum: METALS, description: 'Metal.' })
  metal!: Metal;

  @ApiProperty({ example: '10000', description: 'Weight held, milligrams.' })
  weight!: string;

  @ApiProperty({ example: 'USD', description: 'Cash asset of the amounts below.' })
  currency!: string;

  @ApiProperty({
    example: '858441',
    description: 'What the weight held cost, fees included, cents.',
  })
  costBasis!: string;

  @ApiProperty({
    example: '85844',
    description: 'Average cost per gram, cents (rounded down).',
  })
  averageCostPerGram!: string;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: '2636.75',
    description: 'Live bid it is valued at, USD per troy ounce; null without a live price.',
  })
  price!: string | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: '847727',
    description:
      'Value at the live bid before fees, cents (rounded down); null without a live price.',
  })
  value!: string | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: '-10714',
    description:
      'Unrealised profit (negative: loss), value − cost basis, cents; null without a live price.',
  })
  unrealisedPnl!: string | null;
}

export function toQuoteDto(q: Quote): QuoteDto {
  return {
    id: q.id,
    metal: q.metal,
    side: q.side,
    currency: CASH_ASSET,
    price: formatPrice(q.price, q.priceScale),
    mid: formatPrice(q.mid, q.priceScale),
    weight: q.weight.toString(),
    gross: q.gross.toString(),
    fee: q.fee.toString(),
    total: q.total.toString(),
    priceAt: q.priceAt,
    expiresAt: q.expiresAt,
  };
}

export function toOrderDto(o: Order): OrderDto {
  return {
    id: o.id,
    quoteId: o.quoteId,
    metal: o.metal,
    side: o.side,
    currency: CASH_ASSET,
    price: formatPrice(o.price, o.priceScale),
    weight: o.weight.toString(),
    gross: o.gross.toString(),
    fee: o.fee.toString(),
    total: o.total.toString(),
    createdAt: o.createdAt,
  };
}
