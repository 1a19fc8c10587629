import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { OPERATORS, type AlertEvent, type Operator } from '../alerts.types';

export const EVENTS_PAGE_MAX = 1000;

export class AlertEventDto {
  @ApiProperty({
    format: 'uuid',
    description: 'Derived from the alert and its trigger (bar or tick): the same on every path.',
  })
  id!: string;

  @ApiProperty({
    type: 'integer',
    description: 'Position in your stream: 1, 2, 3… without gaps. Resume after the last you have.',
  })
  seq!: number;

  @ApiProperty({ format: 'uuid', description: 'The alert that fired.' })
  alertId!: string;

  @ApiProperty({ example: 'XAUUSD' })
  symbol!: string;

  @ApiProperty({ enum: OPERATORS })
  operator!: Operator;

  @ApiProperty({
    example: '2400.15',
    description: 'The price it fired at (the bar close, for bar-close alerts).',
  })
  price!: string;

  @ApiProperty({
    type: String,
    format: 'date-time',
    description: 'When the condition became true (tick time, or the end of the closing bar).',
  })
  triggeredAt!: string;

  @ApiProperty({ type: String, format: 'date-time', description: 'When it was stored.' })
  firedAt!: string;

  @ApiPropertyOptional({ description: 'The alert’s message.' })
  message?: string;
}

export class AlertEventPageDto {
  @ApiProperty({ type: AlertEventDto, isArray: true, description: 'In seq order.' })
  events!: AlertEventDto[];

  @ApiProperty({ type: 'integer', description: 'The newest seq of your stream (0: none yet).' })
  lastSeq!: number;
}

export class AlertEventsQueryDto {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    default: 0,
    description: 'Events with a greater seq. For SSE, `Last-Event-ID` takes precedence.',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  after?: number;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: EVENTS_PAGE_MAX,
    default: 100,
    description: 'Events per page (JSON only).',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(EVENTS_PAGE_MAX)
  limit?: number;
}

export class AckEventsDto {
  @ApiProperty({
    type: 'integer',
    minimum: 0,
    description: 'The seq of the last event handled; the stored cursor never moves back.',
  })
  @IsInt()
  @Min(0)
  seq!: number;
}

export class AckedDto {
  @ApiProperty({ type: 'integer', description: 'The stored cursor after the acknowledgement.' })
  ackedSeq!: number;
}

export const toAlertEventDto = (event: AlertEvent): AlertEventDto => ({
  id: event.id,
  seq: event.seq,
  alertId: event.ruleId,
  symbol: event.symbol,
  operator: event.operator,
  price: event.price,
  triggeredAt: new Date(event.tickTs).toISOString(),
  firedAt: event.firedAt.toISOString(),
  message: event.message,
});
