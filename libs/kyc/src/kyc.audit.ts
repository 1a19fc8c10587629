import { auditVocabulary } from '@bourse/platform';

/**
 * What KYC records in the audit trail: every state change of a case, every read of its PII or of
 * a document, a user's export, the erasure of a case's PII and its re-encryption under a new key.
 */
export const KYC_AUDIT = auditVocabulary({
  targets: ['kyc_case', 'kyc_document'],
  actions: [
    'kyc_case.transition',
    'kyc_case.read_pii',
    'kyc_case.export',
    'kyc_case.erase',
    'kyc_case.reencrypt',
    'kyc_document.read',
  ],
});
