import type { UploadPurpose } from '@bourse/storage';

/**
 * Identity documents (passport, id card front and back, proof of address), uploaded through
 * libs/storage: scans or photos up to 10 MB. Only their owner reads them through storage;
 * compliance reads them through KYC (`GET /v1/kyc/review/cases/{id}/documents/{documentId}`),
 * which records each read in the audit trail.
 */
export const KYC_DOCUMENT: UploadPurpose = {
  name: 'kyc.document',
  contentTypes: ['image/jpeg', 'image/png', 'application/pdf'],
  minBytes: 1024,
  maxBytes: 10 * 1024 * 1024,
};

/** What a document is, in Sumsub's `idDocType` names (the adapter sends them as they are). */
export const KYC_DOCUMENT_TYPES = [
  'PASSPORT',
  'ID_CARD',
  'DRIVERS',
  'RESIDENCE_PERMIT',
  'UTILITY_BILL',
  'SELFIE',
] as const;
export type KycDocumentType = (typeof KYC_DOCUMENT_TYPES)[number];

/** Which side of it the file shows; `single` for one-sided documents. */
export const KYC_DOCUMENT_SIDES = ['front', 'back', 'single'] as const;
export type KycDocumentSide = (typeof KYC_DOCUMENT_SIDES)[number];

export interface KycDocument {
  id: string;
  caseId: string;
  uploadId: string;
  type: KycDocumentType;
  side: KycDocumentSide;
  /** A reviewer asked for it again; cleared when a document of its type and side replaces it. */
  redo: boolean;
  replacedBy?: string;
  /** The vendor's id for the file once sent (Sumsub's image id). */
  vendorRef?: string;
  erasedAt?: Date;
  createdAt: Date;
}
