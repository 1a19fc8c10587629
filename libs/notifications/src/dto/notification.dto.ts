import { PageQueryDto } from '@bourse/platform';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional, IsPhoneNumber, IsUUID, Matches } from 'class-validator';
import type { Notification } from '../notifications.types';

export class NotificationQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description: '`nextCursor` of the previous page; absent for the first (newest) page.',
  })
  @IsOptional()
  @IsUUID()
  declare cursor?: string;

  @ApiPropertyOptional({
    enum: ['true', 'false'],
    default: 'false',
    description: '`true`: only unread notifications.',
  })
  @IsOptional()
  @IsIn(['true', 'false'])
  unread?: 'true' | 'false';
}

export class NotificationDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({
    example: 'orders.filled',
    description: 'What it is about, `<lib>.<event>`, as the sending lib names it.',
  })
  type!: string;

  @ApiProperty({ example: 'Order filled', description: 'Short headline.' })
  title!: string;

  @ApiProperty({ example: 'Your order for 10 ACME filled at 12.30.', description: 'The message.' })
  body!: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'What the sending lib attached (ids to link to), as it sent it.',
  })
  data!: Record<string, unknown>;

  @ApiProperty({ type: String, format: 'date-time', description: 'When it was sent.' })
  createdAt!: Date;

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    description: 'When the user first marked it read; absent while unread.',
  })
  readAt?: Date;
}

export const toNotificationDto = (n: Notification): NotificationDto => ({
  id: n.id,
  type: n.type,
  title: n.title,
  body: n.body,
  data: n.data,
  createdAt: n.createdAt,
  readAt: n.readAt,
});

export class NotificationPageDto {
  @ApiProperty({ type: [NotificationDto], description: 'Newest first.' })
  notifications!: NotificationDto[];

  @ApiProperty({ example: 3, description: 'Unread notifications in the whole inbox.' })
  unreadCount!: number;

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'Pass as `cursor` for the next page; absent on the last page.',
  })
  nextCursor?: string;
}

export class MarkAllReadDto {
  @ApiProperty({ example: 3, description: 'How many unread notifications this marked read.' })
  marked!: number;
}

/** Every channel, each on or off, and the SMS number; GET returns it and PUT replaces it whole. */
export class PreferencesDto {
  @ApiProperty({ description: 'Keep notifications in the in-app inbox (and live on the socket).' })
  @IsBoolean()
  in_app!: boolean;

  @ApiProperty({ description: 'Send notifications by e-mail to the account address.' })
  @IsBoolean()
  email!: boolean;

  @ApiProperty({ description: 'Push notifications to the devices signed in to the app.' })
  @IsBoolean()
  push!: boolean;

  @ApiPropertyOptional({
    default: false,
    description: 'Send notifications by SMS to `phone` (off unless chosen; needs `phone`).',
  })
  @IsOptional()
  @IsBoolean()
  sms?: boolean;

  @ApiPropertyOptional({
    example: '+14155550123',
    description:
      'The number SMS go to, in E.164 (`+`, country code, number); also where one-time codes are sent. Absent: none.',
  })
  @IsOptional()
  @IsPhoneNumber(undefined, {
    message: 'phone must be a valid phone number in E.164 (+14155550123)',
  })
  @Matches(/^\+[1-9]\d{6,14}$/, { message: 'phone must be in E.164 (+14155550123)' })
  phone?: string;
}
