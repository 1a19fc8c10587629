/** The storage queue: thumbnails of verified uploads and the sweep of abandoned ones. */
export const STORAGE_QUEUE = 'storage';

export const StorageJob = {
  Thumbnail: 'storage.thumbnail',
  SweepPending: 'storage.sweep-pending',
} as const;

/** Written with the verification, job id `storage-thumbnail:<uploadId>`. */
export interface ThumbnailJob {
  uploadId: string;
  maxPixels: number;
}

/** `bucket` is the start of the schedule's time bucket (ISO), the job id's business key. */
export interface SweepPendingJob {
  bucket: string;
}
