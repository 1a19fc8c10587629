import { auditVocabulary } from '@bourse/platform';

/** What KYC records in the audit trail: every state change of a case, every read of its PII. */
export const KYC_AUDIT = auditVocabulary({
  targets: ['kyc_case'],
  actions: ['kyc_case.transition', 'kyc_case.read_pii'],
});
