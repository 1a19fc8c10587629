import { auditVocabulary } from '@bourse/platform';

/** What top-up records in the audit trail: staff interventions and reseller administration. */
export const ORDERS_AUDIT = auditVocabulary({
  targets: ['topup_order', 'topup_reseller'],
  actions: [
    'topup_order.retry',
    'topup_order.cancel',
    'topup_order.refund',
    'topup_reseller.create',
    'topup_reseller.api_key',
    'topup_reseller.deposit',
  ],
});
