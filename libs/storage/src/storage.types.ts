import type { UploadContentType } from './content-types';

/** `pending` until completed; `verified` or `rejected` by the check; `expired` by the sweep. */
export const UPLOAD_STATES = ['pending', 'verified', 'rejected', 'expired'] as const;
export type UploadState = (typeof UPLOAD_STATES)[number];

export const THUMBNAIL_STATES = ['none', 'pending', 'ready', 'failed'] as const;
export type ThumbnailState = (typeof THUMBNAIL_STATES)[number];

/** Why `complete` rejected an upload (its stable code, as in the problem documents). */
export const REJECT_REASONS = [
  'storage.size_mismatch',
  'storage.content_type_mismatch',
  'storage.content_mismatch',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

export interface Upload {
  id: string;
  ownerId: string;
  purpose: string;
  /** Where the client's POST puts the bytes. */
  incomingKey: string;
  /** Where the verified bytes are copied to; the only key read URLs are made for. */
  objectKey: string;
  contentType: UploadContentType;
  size: number;
  state: UploadState;
  rejectReason?: RejectReason;
  sha256?: string;
  thumbnailState: ThumbnailState;
  createdAt: Date;
  /** The end of the presigned POST's validity. */
  uploadExpiresAt: Date;
  /** When it left `pending`. */
  settledAt?: Date;
}
