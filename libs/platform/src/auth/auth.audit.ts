import { auditVocabulary } from '../audit/audit-vocabulary';

/**
 * What the platform records: admins disabling and enabling users and making and revoking API
 * keys; users verifying their e-mail, resetting their password, turning two-factor on and off,
 * using a recovery code, proving a second factor (at sign-in or a step-up) and ending a session;
 * a subject of an external provider linked to its local user.
 */
export const AUTH_AUDIT = auditVocabulary({
  targets: ['user', 'api_key', 'session'],
  actions: [
    'user.disable',
    'user.enable',
    'api_key.create',
    'api_key.revoke',
    'user.email_verify',
    'user.password_reset',
    'user.two_factor_enable',
    'user.two_factor_disable',
    'user.recovery_code_use',
    'user.second_factor_sign_in',
    'user.step_up',
    'user.external_link',
    'session.revoke',
  ],
});
