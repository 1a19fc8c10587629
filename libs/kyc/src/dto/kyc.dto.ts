import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsISO8601,
  IsOptional,
  IsUUID,
  Length,
  Matches,
  MaxLength,
} from 'class-validator';
import {
  KYC_DOCUMENT_SIDES,
  KYC_DOCUMENT_TYPES,
  type KycDocumentSide,
  type KycDocumentType,
} from '../kyc.documents';
import { KYC_STATES, type KycState } from '../kyc.states';
import { KYC_TIERS, LIMIT_KINDS, type KycTier, type LimitKind } from '../kyc.tiers';

export class ApplicantDto {
  @ApiProperty({ example: 'Ada', description: 'Given name(s), as on the identity document.' })
  @Length(1, 100)
  firstName!: string;

  @ApiProperty({ example: 'Lovelace', description: 'Family name, as on the identity document.' })
  @Length(1, 100)
  lastName!: string;

  @ApiProperty({ example: 'GB', description: 'Country of residence, ISO 3166-1 alpha-2.' })
  @Matches(/^[A-Z]{2}$/)
  country!: string;

  @ApiProperty({
    example: 'QQ123456C',
    description: 'National id number: encrypted at rest, shown only to you and compliance.',
  })
  @Matches(/^[A-Za-z0-9-]{4,32}$/)
  nationalId!: string;

  @ApiProperty({
    example: '1990-12-10',
    description: 'Date of birth (YYYY-MM-DD): encrypted at rest, shown only to you and compliance.',
  })
  @IsISO8601({ strict: true })
  @Matches(/^\d{4}-\d{2}-\d{2}$/)
  birthDate!: string;
}

export class LimitDto {
  @ApiProperty({ enum: LIMIT_KINDS, description: 'What the limit caps.' })
  kind!: LimitKind;

  @ApiProperty({ example: '1000000', description: 'Daily limit, USD cents.' })
  daily!: string;

  @ApiProperty({
    example: '5000000',
    description: 'Monthly limit (calendar month, UTC), USD cents.',
  })
  monthly!: string;

  @ApiProperty({ example: '914159', description: 'What is left today (also within the month).' })
  remainingToday!: string;
}

export class KycApplicantViewDto {
  @ApiProperty({ description: 'Given name(s).' })
  firstName!: string;

  @ApiProperty({ description: 'Family name.' })
  lastName!: string;

  @ApiProperty({ description: 'Country of residence.' })
  country!: string;

  @ApiProperty({ description: 'National id number (decrypted for you or compliance).' })
  nationalId!: string;

  @ApiProperty({ description: 'Date of birth (decrypted for you or compliance).' })
  birthDate!: string;
}

export class AttachDocumentDto {
  @ApiProperty({
    format: 'uuid',
    description: 'A verified upload of yours with purpose `kyc.document` (POST /v1/uploads).',
  })
  @IsUUID()
  uploadId!: string;

  @ApiProperty({ enum: KYC_DOCUMENT_TYPES, description: 'What the document is.' })
  @IsIn(KYC_DOCUMENT_TYPES)
  type!: KycDocumentType;

  @ApiProperty({
    enum: KYC_DOCUMENT_SIDES,
    description: 'The side the file shows; `single` for a one-sided document.',
  })
  @IsIn(KYC_DOCUMENT_SIDES)
  side!: KycDocumentSide;
}

export class KycDocumentDto {
  @ApiProperty({ format: 'uuid', description: 'The document (in this case).' })
  id!: string;

  @ApiProperty({ format: 'uuid', description: 'Its upload (libs/storage).' })
  uploadId!: string;

  @ApiProperty({ enum: KYC_DOCUMENT_TYPES, description: 'What the document is.' })
  type!: KycDocumentType;

  @ApiProperty({ enum: KYC_DOCUMENT_SIDES, description: 'Which side.' })
  side!: KycDocumentSide;

  @ApiProperty({
    description:
      'A reviewer asked for it again: add a document of the same type and side before submitting.',
  })
  redo!: boolean;

  @ApiProperty({ type: String, format: 'date-time', description: 'When it was added.' })
  createdAt!: Date;
}

export class KycDto {
  @ApiProperty({ format: 'uuid', description: 'Your case.' })
  caseId!: string;

  @ApiProperty({ enum: KYC_STATES, description: 'Where the case stands (see libs/kyc/README.md).' })
  state!: KycState;

  @ApiProperty({ enum: KYC_TIERS, description: 'What you may do now.' })
  tier!: KycTier;

  @ApiPropertyOptional({ type: KycApplicantViewDto, description: 'Your personal data, once sent.' })
  applicant?: KycApplicantViewDto;

  @ApiProperty({ type: [LimitDto], description: 'Your tier’s limits and what is left of them.' })
  limits!: LimitDto[];

  @ApiProperty({ type: [KycDocumentDto], description: 'Your current documents, oldest first.' })
  documents!: KycDocumentDto[];
}

export class KycEventDto {
  @ApiProperty({ enum: KYC_STATES, description: 'State before.' })
  fromState!: KycState;

  @ApiProperty({ enum: KYC_STATES, description: 'State after.' })
  toState!: KycState;

  @ApiProperty({ enum: KYC_TIERS, description: 'Tier after.' })
  tier!: KycTier;

  @ApiProperty({ example: 'user:…', description: 'Who made the change.' })
  actor!: string;

  @ApiPropertyOptional({ description: 'Reason code of a decision.' })
  reasonCode?: string;

  @ApiPropertyOptional({ description: 'SHA-256 of the vendor payload that caused it.' })
  payloadHash?: string;

  @ApiProperty({ type: String, format: 'date-time', description: 'When.' })
  at!: Date;
}

/** A case as the review queue lists it: personal data redacted. */
export class KycCaseSummaryDto {
  @ApiProperty({ format: 'uuid', description: 'Case id.' })
  id!: string;

  @ApiProperty({ format: 'uuid', description: 'The applicant user.' })
  userId!: string;

  @ApiProperty({ enum: KYC_STATES, description: 'State.' })
  state!: KycState;

  @ApiProperty({ enum: KYC_TIERS, description: 'Tier.' })
  tier!: KycTier;

  @ApiPropertyOptional({ format: 'uuid', description: 'The reviewer who claimed it.' })
  reviewerId?: string;

  @ApiPropertyOptional({ example: 'A. L.', description: 'Initials only.' })
  initials?: string;

  @ApiPropertyOptional({ example: 'GB', description: 'Country of residence.' })
  country?: string;

  @ApiProperty({ type: String, format: 'date-time', description: 'Last change.' })
  updatedAt!: Date;
}

/** One case in full, for compliance: reading it writes an audit event. */
export class KycCaseDetailDto extends KycCaseSummaryDto {
  @ApiPropertyOptional({ type: KycApplicantViewDto, description: 'Decrypted personal data.' })
  applicant?: KycApplicantViewDto;

  @ApiProperty({ type: [KycEventDto], description: 'Every change of the case, oldest first.' })
  events!: KycEventDto[];

  @ApiProperty({
    type: [KycDocumentDto],
    description: 'Current documents; each read (…/documents/{documentId}) is audited.',
  })
  documents!: KycDocumentDto[];
}

export class KycQueueDto {
  @ApiProperty({ type: [KycCaseSummaryDto], description: 'Cases to review, oldest first.' })
  items!: KycCaseSummaryDto[];
}

export class ApproveDto {
  @ApiProperty({ enum: ['basic', 'full'], description: 'Tier the approval grants.' })
  @IsIn(['basic', 'full'])
  tier!: 'basic' | 'full';
}

export class DecisionDto {
  @ApiProperty({
    example: 'document_unreadable',
    description: 'Reason code (snake_case), kept in the case’s events.',
  })
  @Matches(/^[a-z][a-z0-9_]{1,63}$/)
  @MaxLength(64)
  reasonCode!: string;
}

export class ResubmissionDto extends DecisionDto {
  @ApiPropertyOptional({
    type: [String],
    format: 'uuid',
    description:
      'Current documents of the case the applicant must replace before submitting again.',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsUUID('all', { each: true })
  documents?: string[];
}

export class KycExportCaseDto {
  @ApiProperty({ format: 'uuid', description: 'Your case.' })
  caseId!: string;

  @ApiProperty({ enum: KYC_STATES, description: 'Where it stands.' })
  state!: KycState;

  @ApiProperty({ enum: KYC_TIERS, description: 'Your tier.' })
  tier!: KycTier;

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    description: 'After this date your personal data is erased (set once the case has ended).',
  })
  retainUntil?: Date;

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    description: 'When your personal data was erased.',
  })
  erasedAt?: Date;

  @ApiProperty({ type: String, format: 'date-time', description: 'When the case was opened.' })
  createdAt!: Date;
}

/** Everything KYC holds about the caller (data portability). */
export class KycExportDto {
  @ApiProperty({ type: String, format: 'date-time', description: 'When this export was made.' })
  exportedAt!: Date;

  @ApiProperty({ type: KycExportCaseDto, description: 'The case.' })
  case!: KycExportCaseDto;

  @ApiPropertyOptional({
    type: KycApplicantViewDto,
    description: 'Your personal data, decrypted (absent before it was sent or once erased).',
  })
  applicant?: KycApplicantViewDto;

  @ApiProperty({
    type: [KycDocumentDto],
    description:
      'Every document you added, replaced ones too (the files: GET /v1/uploads/{id}/url).',
  })
  documents!: KycDocumentDto[];

  @ApiProperty({ type: [KycEventDto], description: 'Every change of the case, oldest first.' })
  events!: KycEventDto[];
}
