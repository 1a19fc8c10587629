export { KYC_AUDIT } from './kyc.audit';
export { KYC_CONFIG, type KycAppConfig } from './kyc.config';
export {
  KYC_DOCUMENT,
  KYC_DOCUMENT_SIDES,
  KYC_DOCUMENT_TYPES,
  type KycDocument,
  type KycDocumentSide,
  type KycDocumentType,
} from './kyc.documents';
export { KycDocumentsService } from './kyc-documents.service';
export { KycRetentionService } from './kyc-retention.service';
export { KYC_QUEUE, KycJob, type EraseExpiredJob, type SumsubSubmitJob } from './kyc.jobs';
export { KycModule } from './kyc.module';
export { KycService, type TransitionInput, type VendorReview } from './kyc.service';
export { KycGate } from './kyc-gate.service';
export { PiiCipher } from './pii-cipher';
export {
  assertTransition,
  canTransition,
  KYC_STATES,
  KYC_TRANSITIONS,
  KycTransitionError,
  type KycState,
} from './kyc.states';
export {
  KYC_TIERS,
  LIMIT_KINDS,
  parseTierLimits,
  tierRank,
  type KycTier,
  type LimitKind,
  type PeriodLimits,
  type TierLimits,
} from './kyc.tiers';
export type { KycCase, KycEvent } from './kyc.types';
export {
  KycCaseNotFoundError,
  KycClaimedError,
  KycDocumentNotFoundError,
  KycDocumentsClosedError,
  KycDocumentsToRedoError,
  KycUnknownDocumentsError,
  KycUploadNotUsableError,
  KycVendorError,
  KycIncompleteError,
  KycLimitExceededError,
  KycRequiredError,
} from './kyc.errors';
export {
  ApplicantDto,
  ApproveDto,
  AttachDocumentDto,
  DecisionDto,
  KycApplicantViewDto,
  KycCaseDetailDto,
  KycCaseSummaryDto,
  KycDocumentDto,
  KycDto,
  KycEventDto,
  KycExportCaseDto,
  KycExportDto,
  KycQueueDto,
  LimitDto,
  ResubmissionDto,
} from './dto/kyc.dto';
export {
  SUMSUB_DIGEST_ALGORITHMS,
  sumsubDigest,
  sumsubSignatureMatches,
  type SumsubDigestAlgorithm,
} from './sumsub/sumsub.signature';
export {
  SUMSUB_PROVIDER,
  SumsubReviewResultDto,
  SumsubSignature,
  SumsubWebhookDto,
  sumsubEventId,
} from './sumsub/sumsub.webhook';
export { SumsubReviewHandler } from './sumsub/sumsub.handler';
export {
  SumsubClient,
  sumsubRequestSignature,
  type SumsubApplicant,
  type SumsubApplicantInfo,
  type SumsubDocument,
} from './sumsub/sumsub.client';
export { SumsubSubmissionService } from './sumsub/sumsub-submission.service';
