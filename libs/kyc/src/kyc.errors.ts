import { DomainError } from '@bourse/platform';
import type { KycTier, LimitKind } from './kyc.tiers';

/** The user's tier is below what the action needs. */
export class KycRequiredError extends DomainError {
  readonly code = 'kyc.required';
  readonly status = 403;
  constructor(required: KycTier, tier: KycTier) {
    super(`This needs KYC tier ${required}; yours is ${tier}`);
    this.extensions.requiredTier = required;
    this.extensions.tier = tier;
  }
}

/** The amount does not fit in what the tier's daily or monthly limit leaves. */
export class KycLimitExceededError extends DomainError {
  readonly code = 'kyc.limit_exceeded';
  readonly status = 422;
  constructor(
    tier: KycTier,
    kind: LimitKind,
    period: 'daily' | 'monthly',
    limit: bigint,
    remaining: bigint,
  ) {
    super(`The ${period} ${kind} limit of tier ${tier} leaves ${remaining} of ${limit}`);
    this.extensions.tier = tier;
    this.extensions.kind = kind;
    this.extensions.period = period;
    this.extensions.limit = limit.toString();
    this.extensions.remaining = remaining.toString();
  }
}

export class KycCaseNotFoundError extends DomainError {
  readonly code = 'kyc.case_not_found';
  readonly status = 404;
  constructor(caseId: string) {
    super(`KYC case ${caseId} does not exist`);
    this.extensions.caseId = caseId;
  }
}

/** Someone else claimed the case first. */
export class KycClaimedError extends DomainError {
  readonly code = 'kyc.claimed_by_other';
  readonly status = 409;
  constructor(caseId: string) {
    super(`KYC case ${caseId} is claimed by another reviewer`);
    this.extensions.caseId = caseId;
  }
}

/** Submitting before the personal data was sent. */
export class KycIncompleteError extends DomainError {
  readonly code = 'kyc.incomplete';
  readonly status = 422;
  constructor() {
    super('Send your personal data (POST /v1/kyc/applicant) before submitting');
    this.extensions.field = 'applicant';
  }
}

/** Documents can be added while collecting data or after a resubmission request, not later. */
export class KycDocumentsClosedError extends DomainError {
  readonly code = 'kyc.documents_closed';
  readonly status = 409;
  constructor(state: string) {
    super(`Documents cannot be added to a case that is ${state}`);
    this.extensions.state = state;
  }
}

/** The upload is not a verified `kyc.document` upload of the caller. */
export class KycUploadNotUsableError extends DomainError {
  readonly code = 'kyc.upload_not_usable';
  readonly status = 422;
  constructor(uploadId: string, why: string) {
    super(`Upload ${uploadId} cannot be a KYC document: ${why}`);
    this.extensions.field = 'uploadId';
    this.extensions.uploadId = uploadId;
  }
}

export class KycDocumentNotFoundError extends DomainError {
  readonly code = 'kyc.document_not_found';
  readonly status = 404;
  constructor(documentId: string) {
    super(`KYC document ${documentId} does not exist in this case`);
    this.extensions.documentId = documentId;
  }
}

/** A resubmission request named documents that are not the case's current ones. */
export class KycUnknownDocumentsError extends DomainError {
  readonly code = 'kyc.unknown_documents';
  readonly status = 422;
  constructor(ids: string[]) {
    super(`Not current documents of this case: ${ids.join(', ')}`);
    this.extensions.field = 'documents';
    this.extensions.documents = ids;
  }
}

/** Submitting while documents a reviewer asked to redo have not been replaced. */
export class KycDocumentsToRedoError extends DomainError {
  readonly code = 'kyc.documents_to_redo';
  readonly status = 422;
  constructor(ids: string[]) {
    super(`Replace the documents asked for again before submitting: ${ids.join(', ')}`);
    this.extensions.field = 'documents';
    this.extensions.documents = ids;
  }
}

/** The identity vendor could not be reached or refused a call; the job retries. */
export class KycVendorError extends DomainError {
  readonly code = 'kyc.vendor_unavailable';
  readonly status = 503;
  constructor(vendor: string, detail: string) {
    super(`${vendor}: ${detail}`);
    this.extensions.vendor = vendor;
  }
}
