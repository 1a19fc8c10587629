import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
  MinLength,
  ValidateBy,
  type ValidationOptions,
} from 'class-validator';
import { PageQueryDto } from '../http/page.dto';
import type { AuditAction } from './audit-log';
import {
  AUDIT_ACTIONS,
  AUDIT_TARGET_KINDS,
  isAuditAction,
  isAuditTarget,
} from './audit-vocabulary';

// Checked against what the libs declared when a request comes, not when this file loads.
const IsAuditAction = (options?: ValidationOptions): PropertyDecorator =>
  ValidateBy(
    {
      name: 'isAuditAction',
      validator: {
        validate: isAuditAction,
        defaultMessage: () => `action must be one of: ${AUDIT_ACTIONS.join(', ')}`,
      },
    },
    options,
  );

const IsAuditTarget = (options?: ValidationOptions): PropertyDecorator =>
  ValidateBy(
    {
      name: 'isAuditTarget',
      validator: {
        validate: isAuditTarget,
        defaultMessage: () =>
          `target must be <kind>:<uuid>, the kind one of: ${AUDIT_TARGET_KINDS.join(', ')}`,
      },
    },
    options,
  );

/** The optional body of an admin change: why, for the audit trail. */
export class AdminActionDto {
  @ApiPropertyOptional({
    example: 'chargeback fraud, ticket 4711',
    maxLength: 500,
    description: 'Why: kept with the change in the audit trail (`GET /v1/admin/audit-events`).',
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  reason?: string;
}

export class AuditQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    example: 'user:0192f5e4-7b1c-7d3e-9a4f-2c8b5e6d7f80',
    pattern: '^[a-z][a-z0-9_]*:[0-9a-f-]{36}$',
    description:
      'Only the events of this target: a kind declared by the platform (`user:`, `api_key:`) or a loaded lib, and its id.',
  })
  @IsOptional()
  @IsAuditTarget()
  target?: string;

  @ApiPropertyOptional({
    type: String,
    enum: AUDIT_ACTIONS as string[],
    description: 'Only the events of this action (those the loaded libs declared).',
  })
  @IsOptional()
  @IsAuditAction()
  action?: AuditAction;

  @ApiPropertyOptional({
    format: 'uuid',
    description: '`nextCursor` of the previous page; absent for the first (newest) page.',
  })
  @IsOptional()
  @IsUUID()
  declare cursor?: string;
}

export class AuditEventDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ type: String, format: 'date-time', description: 'When it was done.' })
  at!: Date;

  @ApiProperty({
    example: 'user:0192f5e4-7b1c-7d3e-9a4f-2c8b5e6d7f80',
    description: 'Who: `user:<id>` or `apikey:<id>`.',
  })
  actor!: string;

  @ApiProperty({
    type: String,
    enum: AUDIT_ACTIONS as string[],
    description: 'What: `<kind>.<verb>`.',
  })
  action!: AuditAction;

  @ApiProperty({ example: 'user:0192f5e4-7b1c-7d3e-9a4f-2c8b5e6d7f80', description: 'To what.' })
  target!: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'What else the action recorded (an API key’s name and scopes).',
  })
  details!: Record<string, unknown>;
}

export class AuditPageDto {
  @ApiProperty({ type: [AuditEventDto], description: 'Newest first.' })
  events!: AuditEventDto[];

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'Pass as `cursor` for the next page; absent on the last page.',
  })
  nextCursor?: string;
}
