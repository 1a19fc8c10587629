import { DomainError } from '@bourse/platform';
import type { UploadState } from './storage.types';

/** No such upload, or the caller may not see it: the same answer, so ids cannot be probed. */
export class UploadNotFoundError extends DomainError {
  readonly code = 'storage.upload_not_found';
  readonly status = 404;
  constructor(uploadId: string) {
    super(`Upload ${uploadId} does not exist`);
    this.extensions.uploadId = uploadId;
  }
}

export class UnknownPurposeError extends DomainError {
  readonly code = 'storage.unknown_purpose';
  readonly status = 422;
  constructor(purpose: string) {
    super(`No lib declares the upload purpose ${purpose}`);
    this.extensions.field = 'purpose';
  }
}

export class ContentTypeNotAllowedError extends DomainError {
  readonly code = 'storage.content_type_not_allowed';
  readonly status = 422;
  constructor(purpose: string, allowed: readonly string[]) {
    super(`Purpose ${purpose} accepts ${allowed.join(', ')}`);
    this.extensions.field = 'contentType';
    this.extensions.allowed = allowed;
  }
}

export class SizeOutOfRangeError extends DomainError {
  readonly code = 'storage.size_out_of_range';
  readonly status = 422;
  constructor(purpose: string, min: number, max: number) {
    super(`Purpose ${purpose} accepts ${min} to ${max} bytes`);
    this.extensions.field = 'size';
    this.extensions.minBytes = min;
    this.extensions.maxBytes = max;
  }
}

/** `complete` before the file reached the bucket; the upload stays pending. */
export class ObjectMissingError extends DomainError {
  readonly code = 'storage.object_missing';
  readonly status = 409;
  constructor(uploadId: string) {
    super(`Nothing was uploaded for ${uploadId} yet`);
    this.extensions.uploadId = uploadId;
  }
}

/** The object was replaced while `complete` checked it; completing again checks the new one. */
export class UploadChangedError extends DomainError {
  readonly code = 'storage.upload_changed';
  readonly status = 409;
  constructor(uploadId: string) {
    super(`The file of ${uploadId} changed while it was checked; complete it again`);
    this.extensions.uploadId = uploadId;
  }
}

/** A read URL for an upload that is not verified. */
export class UploadNotVerifiedError extends DomainError {
  readonly code = 'storage.not_verified';
  readonly status = 409;
  constructor(uploadId: string, state: UploadState) {
    super(`Upload ${uploadId} is ${state}; only verified uploads can be read`);
    this.extensions.uploadId = uploadId;
    this.extensions.state = state;
  }
}

export class ThumbnailUnavailableError extends DomainError {
  readonly code = 'storage.thumbnail_unavailable';
  readonly status = 409;
  constructor(uploadId: string, thumbnail: string) {
    super(`Upload ${uploadId} has no thumbnail to read (${thumbnail})`);
    this.extensions.uploadId = uploadId;
    this.extensions.thumbnail = thumbnail;
  }
}

/** S3 (or the network to it) failed; the call can be retried. */
export class StorageUnavailableError extends DomainError {
  readonly code = 'storage.unavailable';
  readonly status = 503;
  constructor(operation: string) {
    super(`Object storage did not answer ${operation}`);
  }
}
