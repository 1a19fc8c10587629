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
