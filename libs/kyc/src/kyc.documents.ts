import type { UploadPurpose } from '@bourse/storage';

/**
 * Identity documents (passport, id card front and back, proof of address), uploaded through
 * libs/storage: scans or photos up to 10 MB, readable by their owner and the `compliance` role.
 */
export const KYC_DOCUMENT: UploadPurpose = {
  name: 'kyc.document',
  contentTypes: ['image/jpeg', 'image/png', 'application/pdf'],
  minBytes: 1024,
  maxBytes: 10 * 1024 * 1024,
  readers: { roles: ['compliance'] },
};
