import { Type } from 'class-transformer';
import { IsArray, IsIn, IsNotEmpty, IsOptional, IsString, ValidateNested } from 'class-validator';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type WebhookVerifier } from '@bourse/platform';
import type { IncomingHttpHeaders } from 'node:http';
import type { KycAppConfig } from '../kyc.config';
import { sumsubSignatureMatches } from './sumsub.signature';

export const SUMSUB_PROVIDER = 'sumsub';

/** Checks `X-Payload-Digest` over the raw body with KYC_SUMSUB_WEBHOOK_SECRET. */
@Injectable()
export class SumsubSignature implements WebhookVerifier {
  constructor(@Inject(APP_CONFIG) private readonly config: KycAppConfig) {}

  verify(rawBody: Buffer, headers: IncomingHttpHeaders): boolean {
    return sumsubSignatureMatches(this.config.kyc.sumsubWebhookSecret, rawBody, headers);
  }
}

export class SumsubReviewResultDto {
  @IsIn(['GREEN', 'RED'])
  reviewAnswer!: 'GREEN' | 'RED';

  @IsOptional()
  @IsIn(['RETRY', 'FINAL'])
  reviewRejectType?: 'RETRY' | 'FINAL';

  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  rejectLabels?: string[];
}

/** What we model of a Sumsub applicant webhook; it sends more (levelName, sandboxMode, …). */
export class SumsubWebhookDto {
  @IsString()
  @IsNotEmpty()
  applicantId!: string;

  /** Our user id, given to Sumsub when the applicant was created. */
  @IsString()
  @IsNotEmpty()
  externalUserId!: string;

  @IsString()
  @IsNotEmpty()
  type!: string;

  @IsString()
  @IsNotEmpty()
  createdAtMs!: string;

  @IsOptional()
  @IsString()
  correlationId?: string;

  @IsOptional()
  @ValidateNested()
  @Type(() => SumsubReviewResultDto)
  reviewResult?: SumsubReviewResultDto;
}

/** Sumsub sends no event id: an applicant's event of one type at one moment is one event. */
export const sumsubEventId = (event: SumsubWebhookDto): string =>
  `${event.applicantId}:${event.type}:${event.createdAtMs}`;
