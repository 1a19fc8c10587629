import { DomainError } from '@bourse/platform';

/** Every state a KYC case can be in, and the only moves between them: the one place they live. */
export const KYC_STATES = [
  'not_started',
  'collecting',
  'submitted',
  'in_review',
  'approved',
  'rejected',
  'resubmission_requested',
  'on_hold',
  'expired',
] as const;
export type KycState = (typeof KYC_STATES)[number];

export const KYC_TRANSITIONS: Readonly<Record<KycState, readonly KycState[]>> = {
  not_started: ['collecting'],
  // Personal data may be corrected until it is submitted.
  collecting: ['collecting', 'submitted', 'expired'],
  submitted: ['in_review', 'expired'],
  in_review: ['approved', 'rejected', 'resubmission_requested', 'on_hold'],
  on_hold: ['in_review', 'rejected'],
  resubmission_requested: ['collecting', 'expired'],
  // Fraud found after approval (a late RED, a reviewer) revokes it at once.
  approved: ['rejected', 'resubmission_requested', 'expired'],
  rejected: [],
  expired: ['collecting'],
};

export class KycTransitionError extends DomainError {
  readonly code = 'kyc.invalid_transition';
  readonly status = 409;
  constructor(from: KycState, to: KycState) {
    super(`A KYC case cannot go from ${from} to ${to}`);
    this.extensions.state = from;
    this.extensions.to = to;
  }
}

export function canTransition(from: KycState, to: KycState): boolean {
  return KYC_TRANSITIONS[from].includes(to);
}

export function assertTransition(from: KycState, to: KycState): void {
  if (!canTransition(from, to)) {
    throw new KycTransitionError(from, to);
  }
}
