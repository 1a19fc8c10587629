import { auditVocabulary } from '@bourse/platform';

/** What the ledger records in the audit trail: accounts frozen and unfrozen. */
export const LEDGER_AUDIT = auditVocabulary({
  targets: ['ledger_account'],
  actions: ['ledger_account.freeze', 'ledger_account.unfreeze'],
});
