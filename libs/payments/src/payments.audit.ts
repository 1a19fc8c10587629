import { auditVocabulary } from '@bourse/platform';

/** What payments records in the audit trail: refunds an admin issued. */
export const PAYMENTS_AUDIT = auditVocabulary({
  targets: ['payment'],
  actions: ['payment.refund'],
});
