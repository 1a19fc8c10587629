import { auditVocabulary } from '../audit/audit-vocabulary';

/** What the platform's admin routes record: users disabled and enabled, API keys made and revoked. */
export const AUTH_AUDIT = auditVocabulary({
  targets: ['user', 'api_key'],
  actions: ['user.disable', 'user.enable', 'api_key.create', 'api_key.revoke'],
});
