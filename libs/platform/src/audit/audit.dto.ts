import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, Matches, MaxLength, MinLength } from 'class-validator';
import { PageQueryDto } from '../http/page.dto';
import { AUDIT_ACTIONS, AUDIT_TARGET_PATTERN, type AuditAction } from './audit-log';

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
    example: 'ledger_account:0192f5e4-7b1c-7d3e-9a4f-2c8b5e6d7f80',
    pattern: AUDIT_TARGET_PATTERN.source,
    description:
      'Only the events of this target (`user:`, `api_key:` or `ledger_account:` and its id).',
  })
  @IsOptional()
  @Matches(AUDIT_TARGET_PATTERN)
  target?: string;

  @ApiPropertyOptional({ enum: AUDIT_ACTIONS, description: 'Only the events of this action.' })
  @IsOptional()
  @IsIn(AUDIT_ACTIONS)
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

  @ApiProperty({ enum: AUDIT_ACTIONS, description: 'What.' })
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
