import type { KycState } from './kyc.states';
import type { KycTier } from './kyc.tiers';

export interface KycCase {
  id: string;
  userId: string;
  state: KycState;
  tier: KycTier;
  reviewerId?: string;
  firstName?: string;
  lastName?: string;
  country?: string;
  /** Sealed (PiiCipher); opened only for the owner and compliance. */
  nationalId?: string;
  nationalIdFingerprint?: string;
  /** Sealed ISO date. */
  birthDate?: string;
  /** Sumsub's applicant id, once the case was sent there. */
  vendorApplicantId?: string;
  /** Set when the case ends (rejected, expired): the erase job redacts the PII after it. */
  retainUntil?: Date;
  erasedAt?: Date;
  createdAt: Date;
  updatedAt: Date;
}

export interface KycEvent {
  id: string;
  fromState: KycState;
  toState: KycState;
  tier: KycTier;
  actor: string;
  reasonCode?: string;
  payloadHash?: string;
  at: Date;
}

export interface ApplicantData {
  firstName: string;
  lastName: string;
  country: string;
  nationalId: string;
  birthDate: string;
}
