import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsOptional,
  Max,
  Min,
  Validate,
  ValidatorConstraint,
  type ValidationArguments,
  type ValidatorConstraintInterface,
} from 'class-validator';
import { SYMBOLS } from '../symbols';
import { TIMEFRAME_NAMES, type Timeframe } from '../timeframes';

const SYMBOL_NAMES = SYMBOLS.map((spec) => spec.symbol);
// 9999-12-31T23:59:59Z: keeps every accepted time a valid date in JavaScript and Postgres.
const MAX_EPOCH_SECONDS = 253_402_300_799;

export class SymbolDto {
  @ApiProperty({ example: 'XAUUSD', description: 'Symbol, as used in every market route.' })
  symbol!: string;

  @ApiProperty({ example: 'Gold, USD per troy ounce', description: 'What the price is of.' })
  description!: string;

  @ApiProperty({
    type: 'integer',
    example: 2,
    description: 'Decimals every price of this symbol carries.',
  })
  scale!: number;
}

export class PriceDto {
  @ApiProperty({ example: 'XAUUSD', description: 'Symbol.' })
  symbol!: string;

  @ApiProperty({
    example: '2650.25',
    description: 'Last price, a decimal string in the symbol scale.',
  })
  price!: string;

  @ApiProperty({
    type: 'integer',
    example: 1764000000000,
    description:
      'Time of the price, epoch milliseconds (as in the Socket.IO price stream, so a snapshot and the stream compare directly).',
  })
  ts!: number;

  @ApiProperty({
    type: 'integer',
    example: 1042,
    description:
      'Sequence of the tick, increasing per symbol; a stream tick with a higher seq is newer.',
  })
  seq!: number;
}

@ValidatorConstraint({ name: 'notBeforeFrom' })
class NotBeforeFrom implements ValidatorConstraintInterface {
  validate(to: unknown, args: ValidationArguments): boolean {
    const { from } = args.object as CandlesQueryDto;

    return typeof to !== 'number' || typeof from !== 'number' || to >= from;
  }

  defaultMessage(): string {
    return 'to must not be before from';
  }
}

export class CandlesQueryDto {
  @ApiProperty({ enum: SYMBOL_NAMES, example: 'XAUUSD', description: 'Symbol.' })
  @IsIn(SYMBOL_NAMES, { message: 'symbol must be one of: $constraint1' })
  symbol!: string;

  @ApiProperty({ enum: TIMEFRAME_NAMES, example: '1h', description: 'Bar length.' })
  @IsIn(TIMEFRAME_NAMES, { message: 'timeframe must be one of: $constraint1' })
  timeframe!: Timeframe;

  @ApiPropertyOptional({
    type: 'integer',
    example: 1764000000,
    description: 'Earliest bar start, UTC epoch seconds (inclusive). Default: no lower bound.',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'from must be UTC epoch seconds (an integer)' })
  @Min(0)
  @Max(MAX_EPOCH_SECONDS)
  from?: number;

  @ApiPropertyOptional({
    type: 'integer',
    example: 1764086400,
    description:
      'Latest bar start, UTC epoch seconds (inclusive), not before `from`. Default: now, so the forming bar is included.',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'to must be UTC epoch seconds (an integer)' })
  @Min(0)
  @Max(MAX_EPOCH_SECONDS)
  @Validate(NotBeforeFrom)
  to?: number;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: 5000,
    default: 500,
    description: 'Most bars returned: the newest ones within [from, to].',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(5000)
  limit: number = 500;
}

/** One bar in the shape lightweight-charts takes (`series.setData`), plus its tick count. */
export class CandleDto {
  @ApiProperty({
    type: 'integer',
    example: 1764000000,
    description: 'Bar start, UTC epoch seconds.',
  })
  time!: number;

  @ApiProperty({ example: '2650.00', description: 'First price of the bar (decimal string).' })
  open!: string;

  @ApiProperty({ example: '2655.10', description: 'Highest price of the bar (decimal string).' })
  high!: string;

  @ApiProperty({ example: '2648.75', description: 'Lowest price of the bar (decimal string).' })
  low!: string;

  @ApiProperty({
    example: '2652.30',
    description: 'Last price of the bar so far (decimal string); the forming bar still moves.',
  })
  close!: string;

  @ApiProperty({ type: 'integer', example: 60, description: 'Ticks folded into the bar.' })
  tickCount!: number;
}
