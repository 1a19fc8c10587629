import { PageQueryDto } from '@bourse/platform';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsDateString,
  IsOptional,
  IsUrl,
  IsUUID,
  Matches,
  MaxLength,
} from 'class-validator';
import { NOTIFICATION_TYPE_PATTERN } from '../notifications.types';
import {
  DELIVERY_STATES,
  webhookId,
  type DeliveryState,
  type WebhookAttempt,
  type WebhookDelivery,
  type WebhookEndpoint,
} from '../webhooks/webhook.types';

const URL_OPTIONS = { protocols: ['http', 'https'], require_protocol: true, require_tld: false };

export class CreateWebhookEndpointDto {
  @ApiProperty({
    example: 'https://partner.example.com/bourse/webhooks',
    description:
      'Where deliveries are POSTed. Must resolve to a public address: private, loopback and link-local ones are refused when sending.',
  })
  @IsUrl(URL_OPTIONS)
  @MaxLength(2000)
  url!: string;

  @ApiProperty({
    type: [String],
    example: ['orders.filled'],
    description: 'Event types (`<lib>.<event>`) this endpoint receives.',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @Matches(NOTIFICATION_TYPE_PATTERN, { each: true })
  eventTypes!: string[];
}

export class UpdateWebhookEndpointDto {
  @ApiPropertyOptional({ description: 'A new delivery URL.' })
  @IsOptional()
  @IsUrl(URL_OPTIONS)
  @MaxLength(2000)
  url?: string;

  @ApiPropertyOptional({ type: [String], description: 'Replaces the subscribed event types.' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @Matches(NOTIFICATION_TYPE_PATTERN, { each: true })
  eventTypes?: string[];

  @ApiPropertyOptional({
    description:
      '`false` stops deliveries; `true` starts them again and clears a disabling (410, 5 days failing).',
  })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}

export class WebhookEndpointDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ description: 'Delivery URL.' })
  url!: string;

  @ApiProperty({ type: [String], description: 'Event types delivered to it.' })
  eventTypes!: string[];

  @ApiProperty({ description: 'Whether deliveries are sent.' })
  enabled!: boolean;

  @ApiPropertyOptional({
    example: 'answered 410 Gone',
    description: 'Why it was disabled; absent while enabled.',
  })
  disabledReason?: string;

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    description: 'Since when every attempt failed; it is disabled after 5 days of this.',
  })
  failingSince?: Date;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt!: Date;
}

export const toEndpointDto = (e: WebhookEndpoint): WebhookEndpointDto => ({
  id: e.id,
  url: e.url,
  eventTypes: e.eventTypes,
  enabled: e.enabled,
  disabledReason: e.disabledReason,
  failingSince: e.failingSince,
  createdAt: e.createdAt,
});

export class WebhookSecretDto {
  @ApiProperty({
    example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    description:
      'The signing secret (Standard Webhooks). Shown once: store it now. After a rotation the previous one also signs for a day.',
  })
  secret!: string;
}

export class CreatedWebhookEndpointDto extends WebhookEndpointDto {
  @ApiProperty({ description: 'The signing secret, `whsec_…`. Shown once: store it now.' })
  secret!: string;
}

export class ReplayDto {
  @ApiProperty({ format: 'date-time', description: 'First event time of the window (inclusive).' })
  @IsDateString()
  since!: string;

  @ApiProperty({ format: 'date-time', description: 'End of the window (exclusive).' })
  @IsDateString()
  until!: string;
}

export class ReplayResultDto {
  @ApiProperty({
    example: 42,
    description: 'Deliveries queued again (at most 10,000 per call, oldest first).',
  })
  queued!: number;
}

export class WebhookAttemptDto {
  @ApiProperty({ description: 'Attempt number, from 0.' })
  attempt!: number;

  @ApiProperty({ type: String, format: 'date-time' })
  at!: Date;

  @ApiPropertyOptional({ description: 'HTTP status answered; absent when none came.' })
  status?: number;

  @ApiProperty({ description: 'Time to the answer (or the failure), ms.' })
  latencyMs!: number;

  @ApiPropertyOptional({ description: 'First KB of the answer body.' })
  response?: string;

  @ApiPropertyOptional({ description: 'Why no answer came (timeout, refused address, ...).' })
  error?: string;
}

export class WebhookDeliveryDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'msg_0193...', description: 'The `webhook-id` header it is sent with.' })
  webhookId!: string;

  @ApiProperty({ example: 'orders.filled' })
  eventType!: string;

  @ApiProperty({ enum: DELIVERY_STATES, description: '`pending` while an attempt is due.' })
  state!: DeliveryState;

  @ApiProperty({ description: 'Attempts made.' })
  attempts!: number;

  @ApiProperty({ type: String, format: 'date-time' })
  createdAt!: Date;

  @ApiProperty({ type: [WebhookAttemptDto], description: 'Every attempt, oldest first.' })
  attemptLog!: WebhookAttemptDto[];
}

export const toDeliveryDto = (
  d: WebhookDelivery & { attemptLog: WebhookAttempt[] },
): WebhookDeliveryDto => ({
  id: d.id,
  webhookId: webhookId(d.messageId),
  eventType: d.eventType,
  state: d.state,
  attempts: d.attempts,
  createdAt: d.createdAt,
  attemptLog: d.attemptLog.map((a) => ({
    attempt: a.attempt,
    at: a.at,
    status: a.status ?? undefined,
    latencyMs: a.latencyMs,
    response: a.response ?? undefined,
    error: a.error ?? undefined,
  })),
});

export class DeliveryQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: '`nextCursor` of the previous page.' })
  @IsOptional()
  @IsUUID()
  declare cursor?: string;
}

export class DeliveryPageDto {
  @ApiProperty({ type: [WebhookDeliveryDto], description: 'Newest first.' })
  deliveries!: WebhookDeliveryDto[];

  @ApiPropertyOptional({ format: 'uuid', description: 'Pass as `cursor` for the next page.' })
  nextCursor?: string;
}
