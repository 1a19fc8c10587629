export { STORAGE_CONFIG, type StorageAppConfig, uploadFormOrigin } from './storage.config';
export { StorageModule } from './storage.module';
export { UploadsService } from './uploads.service';
export { UploadPurposes, PURPOSE_PATTERN, type UploadPurpose } from './upload-purpose';
export { SIMULATOR_CREDENTIALS } from './object-store';
export { UPLOAD_CONTENT_TYPES, type UploadContentType } from './content-types';
export {
  REJECT_REASONS,
  THUMBNAIL_STATES,
  UPLOAD_STATES,
  type RejectReason,
  type ThumbnailState,
  type Upload,
  type UploadState,
} from './storage.types';
export {
  ContentTypeNotAllowedError,
  ObjectMissingError,
  SizeOutOfRangeError,
  StorageUnavailableError,
  ThumbnailUnavailableError,
  UnknownPurposeError,
  UploadChangedError,
  UploadNotFoundError,
  UploadNotVerifiedError,
} from './storage.errors';
export { STORAGE_QUEUE, StorageJob, type SweepPendingJob, type ThumbnailJob } from './storage.jobs';
export {
  CreateUploadDto,
  PresignedUploadDto,
  READ_VARIANTS,
  ReadUrlDto,
  ReadUrlQueryDto,
  UploadDto,
  type ReadVariant,
} from './dto/upload.dto';
