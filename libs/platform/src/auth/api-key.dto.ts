import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsDate,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinDate,
  MinLength,
} from 'class-validator';

export const SCOPE_PATTERN = /^[a-z][a-z0-9:_-]{0,63}$/;

export class CreateApiKeyDto {
  @ApiProperty({ example: 'nightly-reconciler', description: 'Who uses the key, for people.' })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name!: string;

  @ApiProperty({
    type: [String],
    example: ['reports'],
    description:
      'Scopes granted, each `^[a-z][a-z0-9:_-]{0,63}$`; a route opened to API keys lists the scopes it requires.',
  })
  @IsArray()
  @ArrayMaxSize(32)
  @ArrayUnique()
  @Matches(SCOPE_PATTERN, { each: true, message: 'each scope must match $constraint1' })
  scopes!: string[];

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    example: '2027-06-01T00:00:00Z',
    description:
      'When the key stops authenticating (a rotation deadline); absent, it works until revoked.',
  })
  @IsOptional()
  @Type(() => Date)
  @IsDate({ message: 'expiresAt must be an ISO 8601 date-time' })
  @MinDate(() => new Date(), { message: 'expiresAt must be in the future' })
  expiresAt?: Date;
}

export class ApiKeyDto {
  @ApiProperty({ format: 'uuid', description: 'Key id (the part before the dot).' })
  id!: string;

  @ApiProperty({ description: 'Name given at creation.' })
  name!: string;

  @ApiProperty({ type: [String], description: 'Scopes the key holds.' })
  scopes!: string[];

  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'Admin who created it; null once that user is deleted.',
  })
  createdBy!: string | null;

  @ApiProperty({ type: String, format: 'date-time', description: 'Creation time.' })
  createdAt!: Date;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'Last successful use, to the minute.',
  })
  lastUsedAt!: Date | null;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When it stops authenticating; null: until revoked.',
  })
  expiresAt!: Date | null;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'When it was revoked; a revoked key no longer authenticates.',
  })
  revokedAt!: Date | null;
}

export class CreatedApiKeyDto extends ApiKeyDto {
  @ApiProperty({
    description:
      'The full key (`<id>.<secret>`), sent as `Authorization: ApiKey <key>`. Shown only now: only its hash is stored.',
  })
  key!: string;
}
