import { SYMBOLS, TIMEFRAME_NAMES, type Timeframe } from '@bourse/market-data';
import { PageQueryDto } from '@bourse/platform';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsDate,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import {
  DELIVERY_CHANNELS,
  FREQUENCIES,
  OPERATORS,
  RULE_STATUSES,
  type AlertRule,
  type DeliveryChannel,
  type Frequency,
  type Operator,
  type RuleStatus,
} from '../alerts.types';
import { DECIMAL_PATTERN } from '../decimal';

const SYMBOL_NAMES = SYMBOLS.map((s) => s.symbol);

/** The fields a rule is made of; which ones an operator needs is checked by the service. */
export class AlertConditionDto {
  @ApiPropertyOptional({
    example: '2400.00',
    pattern: DECIMAL_PATTERN.source,
    description:
      'The level (crossing, crossing_up, crossing_down, greater_than, less_than) or the percent (moving_up_pct, moving_down_pct, e.g. `2.5`).',
  })
  @IsOptional()
  @IsString()
  @Matches(DECIMAL_PATTERN)
  value?: string;

  @ApiPropertyOptional({
    example: '2350.00',
    pattern: DECIMAL_PATTERN.source,
    description: 'Channel operators: the lower bound (inclusive).',
  })
  @IsOptional()
  @IsString()
  @Matches(DECIMAL_PATTERN)
  lower?: string;

  @ApiPropertyOptional({
    example: '2450.00',
    pattern: DECIMAL_PATTERN.source,
    description: 'Channel operators: the upper bound (inclusive), above `lower`.',
  })
  @IsOptional()
  @IsString()
  @Matches(DECIMAL_PATTERN)
  upper?: string;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    example: 5,
    description:
      'Moving operators: the change is measured from the close this many bars of `timeframe` back (at most ALERTS_MAX_BARS).',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  bars?: number;

  @ApiPropertyOptional({
    enum: TIMEFRAME_NAMES,
    default: '1m',
    description: 'The bars of `bars`, `once_per_bar` and `once_per_bar_close`.',
  })
  @IsOptional()
  @IsIn(TIMEFRAME_NAMES)
  timeframe?: Timeframe;

  @ApiPropertyOptional({
    enum: FREQUENCIES,
    default: 'only_once',
    description:
      '`only_once`: fires once, then the alert is done; `once_per_bar`: at most once per bar, as soon as true; `once_per_bar_close`: judged on each bar’s close; `every_time`: whenever true, at most once per `minIntervalSeconds`.',
  })
  @IsOptional()
  @IsIn(FREQUENCIES)
  frequency?: Frequency;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    maximum: 86400,
    default: 60,
    description: '`every_time`: seconds (of tick time) between two firings.',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(86400)
  minIntervalSeconds?: number;

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'After this instant the alert fires no more (checked at fire time); null: never.',
  })
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  expiresAt?: Date | null;

  @ApiPropertyOptional({
    maxLength: 500,
    description: 'Your text, sent with every firing (push/e-mail body).',
  })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  message?: string;

  @ApiPropertyOptional({
    enum: DELIVERY_CHANNELS,
    isArray: true,
    default: [],
    description:
      'Where firings go besides the in-app stream (which gets every firing): `push` and `email` (subject to your notification preferences) and `webhook` (your webhook endpoints subscribed to `alerts.fired`).',
  })
  @IsOptional()
  @IsArray()
  @ArrayUnique()
  @IsIn(DELIVERY_CHANNELS, { each: true })
  channels?: DeliveryChannel[];
}

export class CreateAlertDto extends AlertConditionDto {
  @ApiProperty({ enum: SYMBOL_NAMES, example: 'XAUUSD', description: 'The symbol watched.' })
  @IsIn(SYMBOL_NAMES)
  symbol!: string;

  @ApiProperty({ enum: OPERATORS, description: 'The condition, as TradingView names it.' })
  @IsIn(OPERATORS)
  operator!: Operator;
}

export class UpdateAlertDto extends AlertConditionDto {
  @ApiPropertyOptional({
    description:
      '`false` pauses the alert, `true` re-arms it (also a fired `only_once` or an expired one, with a new expiry).',
  })
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

export class AlertDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'XAUUSD' })
  symbol!: string;

  @ApiProperty({ enum: OPERATORS })
  operator!: Operator;

  @ApiPropertyOptional({ description: 'Level or percent (see CreateAlertDto).' })
  value?: string;

  @ApiPropertyOptional({ description: 'Channel lower bound.' })
  lower?: string;

  @ApiPropertyOptional({ description: 'Channel upper bound.' })
  upper?: string;

  @ApiPropertyOptional({ type: 'integer', description: 'Moving operators: bars back.' })
  bars?: number;

  @ApiProperty({ enum: TIMEFRAME_NAMES })
  timeframe!: Timeframe;

  @ApiProperty({ enum: FREQUENCIES })
  frequency!: Frequency;

  @ApiProperty({ type: 'integer', description: '`every_time`: seconds between firings.' })
  minIntervalSeconds!: number;

  @ApiPropertyOptional({ type: String, format: 'date-time' })
  expiresAt?: Date;

  @ApiPropertyOptional()
  message?: string;

  @ApiProperty({ enum: DELIVERY_CHANNELS, isArray: true })
  channels!: DeliveryChannel[];

  @ApiProperty({
    enum: RULE_STATUSES,
    description: '`fired`: an `only_once` alert that fired; `expired`: past `expiresAt`.',
  })
  status!: RuleStatus;

  @ApiProperty({ type: 'integer', description: 'How many times it fired.' })
  fireCount!: number;

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    description: 'Tick time of the last firing.',
  })
  lastFiredAt?: Date;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt!: Date;

  @ApiProperty({ type: String, format: 'date-time' })
  updatedAt!: Date;
}

export class AlertPageDto {
  @ApiProperty({ type: AlertDto, isArray: true, description: 'Oldest first.' })
  alerts!: AlertDto[];

  @ApiPropertyOptional({ format: 'uuid', description: 'Pass as `cursor` for the next page.' })
  nextCursor?: string;
}

export class AlertQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: '`nextCursor` of the previous page.' })
  @IsOptional()
  @IsUUID()
  declare cursor?: string;
}

export const toAlertDto = (rule: AlertRule): AlertDto => ({
  id: rule.id,
  symbol: rule.symbol,
  operator: rule.operator,
  value: rule.value,
  lower: rule.lower,
  upper: rule.upper,
  bars: rule.bars,
  timeframe: rule.timeframe,
  frequency: rule.frequency,
  minIntervalSeconds: rule.minIntervalSeconds,
  expiresAt: rule.expiresAt,
  message: rule.message,
  channels: rule.channels,
  status: rule.status,
  fireCount: rule.fireCount,
  lastFiredAt: rule.lastFiredAt === undefined ? undefined : new Date(rule.lastFiredAt),
  createdAt: rule.createdAt,
  updatedAt: rule.updatedAt,
});
