import { AuditModule, APP_CONFIG, requireConfigSection } from '@bourse/platform';
import { StorageModule } from '@bourse/storage';
import { Module } from '@nestjs/common';
import { KYC_CONFIG, type KycAppConfig } from './kyc.config';
import { KYC_DOCUMENT } from './kyc.documents';
import { KycDocumentsRepository } from './kyc-documents.repository';
import { KycDocumentsService } from './kyc-documents.service';
import { KycGate } from './kyc-gate.service';
import { KycRetentionService } from './kyc-retention.service';
import { KycRepository } from './kyc.repository';
import { KycService } from './kyc.service';
import { PiiCipher } from './pii-cipher';
import { SumsubSubmissionService } from './sumsub/sumsub-submission.service';
import { SumsubClient } from './sumsub/sumsub.client';
import { SumsubSignature } from './sumsub/sumsub.webhook';

/**
 * KYC cases, review and the gate other libs call. Needs what the platform provides globally
 * (Database, APP_CONFIG with KYC_CONFIG and STORAGE_CONFIG composed, idempotency); declares the
 * `kyc.document` upload purpose.
 */
@Module({
  imports: [AuditModule, StorageModule.forPurposes([KYC_DOCUMENT])],
  providers: [
    requireConfigSection(KYC_CONFIG),
    KycService,
    KycGate,
    KycRepository,
    KycDocumentsRepository,
    KycDocumentsService,
    KycRetentionService,
    SumsubSignature,
    SumsubClient,
    SumsubSubmissionService,
    {
      provide: PiiCipher,
      inject: [APP_CONFIG],
      useFactory: ({ kyc }: KycAppConfig) =>
        new PiiCipher(new Map([...kyc.oldPiiKeys, [kyc.piiKeyId, kyc.piiKey]]), kyc.piiKeyId),
    },
  ],
  exports: [
    KycService,
    KycGate,
    KycDocumentsService,
    KycRetentionService,
    SumsubSignature,
    SumsubSubmissionService,
  ],
})
export class KycModule {}
