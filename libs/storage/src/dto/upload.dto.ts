import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { UPLOAD_CONTENT_TYPES, type UploadContentType } from '../content-types';
import {
  REJECT_REASONS,
  THUMBNAIL_STATES,
  UPLOAD_STATES,
  type RejectReason,
  type ThumbnailState,
  type Upload,
  type UploadState,
} from '../storage.types';
import { PURPOSE_PATTERN } from '../upload-purpose';

export class CreateUploadDto {
  @ApiProperty({
    example: 'kyc.document',
    pattern: PURPOSE_PATTERN.source,
    description:
      'What the file is for, as declared by the lib that uses it; sets the accepted types and sizes and who may read it.',
  })
  @IsString()
  @Matches(PURPOSE_PATTERN)
  purpose!: string;

  @ApiProperty({
    enum: UPLOAD_CONTENT_TYPES,
    example: 'image/png',
    description:
      'Content type of the file; the upload form makes S3 refuse any other, and completion checks the bytes match it.',
  })
  @IsIn(UPLOAD_CONTENT_TYPES)
  contentType!: UploadContentType;

  @ApiProperty({
    example: 48213,
    minimum: 1,
    description: 'Exact size of the file in bytes; S3 refuses a body of any other length.',
  })
  @IsInt()
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  size!: number;
}

export class PresignedUploadDto {
  @ApiProperty({ format: 'uuid', description: 'The upload; complete it once the POST succeeded.' })
  uploadId!: string;

  @ApiProperty({
    example: 'https://s3.eu-west-1.amazonaws.com/bourse-uploads',
    description: 'Where to POST the file as multipart/form-data.',
  })
  url!: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    description:
      'Form fields to send as they are, before the `file` field: the key, Content-Type, the signed policy and its SigV4 fields.',
  })
  fields!: Record<string, string>;

  @ApiProperty({
    type: String,
    format: 'date-time',
    description: 'The policy is refused by S3 after this instant.',
  })
  expiresAt!: Date;
}

export class UploadDto {
  @ApiProperty({ format: 'uuid', description: 'The upload.' })
  id!: string;

  @ApiProperty({ example: 'kyc.document', description: 'Its purpose.' })
  purpose!: string;

  @ApiProperty({ enum: UPLOAD_CONTENT_TYPES, description: 'The declared content type.' })
  contentType!: UploadContentType;

  @ApiProperty({ example: 48213, description: 'The declared size in bytes.' })
  size!: number;

  @ApiProperty({
    enum: UPLOAD_STATES,
    description:
      '`pending` until completed; `verified` when the stored bytes are what was declared; `rejected` when not (see `rejectReason`; the object is deleted); `expired` when never completed in time.',
  })
  state!: UploadState;

  @ApiPropertyOptional({
    enum: REJECT_REASONS,
    description:
      'Why it was rejected: `storage.size_mismatch`, `storage.content_type_mismatch` (the stored Content-Type), `storage.content_mismatch` (the bytes are not of the declared type).',
  })
  rejectReason?: RejectReason;

  @ApiPropertyOptional({
    example: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
    description: 'Hex SHA-256 of the verified bytes.',
  })
  sha256?: string;

  @ApiProperty({
    enum: THUMBNAIL_STATES,
    description:
      '`none`: its purpose wants none; `pending`: the worker is making it; `ready`: readable with `variant=thumbnail`; `failed`: the image could not be decoded.',
  })
  thumbnail!: ThumbnailState;

  @ApiProperty({ type: String, format: 'date-time', description: 'When the upload was requested.' })
  createdAt!: Date;

  @ApiProperty({
    type: String,
    format: 'date-time',
    description: 'When the presigned POST stops being accepted.',
  })
  uploadExpiresAt!: Date;

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    description: 'When it left `pending`.',
  })
  settledAt?: Date;
}

export function toUploadDto(upload: Upload): UploadDto {
  return {
    id: upload.id,
    purpose: upload.purpose,
    contentType: upload.contentType,
    size: upload.size,
    state: upload.state,
    rejectReason: upload.rejectReason,
    sha256: upload.sha256,
    thumbnail: upload.thumbnailState,
    createdAt: upload.createdAt,
    uploadExpiresAt: upload.uploadExpiresAt,
    settledAt: upload.settledAt,
  };
}

export const READ_VARIANTS = ['original', 'thumbnail'] as const;
export type ReadVariant = (typeof READ_VARIANTS)[number];

export class ReadUrlQueryDto {
  @ApiPropertyOptional({
    enum: READ_VARIANTS,
    default: 'original',
    description: 'The verified file, or its thumbnail (purposes that ask for one).',
  })
  @IsOptional()
  @IsIn(READ_VARIANTS)
  variant?: ReadVariant;
}

export class ReadUrlDto {
  @ApiProperty({
    description: 'A presigned GET of the object; anyone holding it can read until it expires.',
  })
  url!: string;

  @ApiProperty({ type: String, format: 'date-time', description: 'When the URL stops working.' })
  expiresAt!: Date;
}
