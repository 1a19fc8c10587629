export { KYC_AUDIT } from './kyc.audit';
export { KYC_CONFIG, type KycAppConfig } from './kyc.config';
export { KYC_DOCUMENT } from './kyc.documents';
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
  KycIncompleteError,
  KycLimitExceededError,
  KycRequiredError,
} from './kyc.errors';
export {
  ApplicantDto,
  ApproveDto,
  DecisionDto,
  KycApplicantViewDto,
  KycCaseDetailDto,
  KycCaseSummaryDto,
  KycDto,
  KycEventDto,
  KycQueueDto,
  LimitDto,
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
