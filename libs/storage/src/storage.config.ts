import {
  configSection,
  int,
  oneOf,
  str,
  url,
  type AppConfig,
  type SectionConfig,
} from '@bourse/platform';

/** Storage's variables and settings (`config.storage`), composed by the apps that load it. */
export const STORAGE_CONFIG = configSection({
  key: 'storage',
  vars: {
    STORAGE_S3_ENDPOINT: url(['http:', 'https:'], {
      default: 'http://127.0.0.1:3189',
      description:
        'S3 endpoint: `https://s3.<region>.amazonaws.com` for AWS, a MinIO URL, or the local S3 simulator `npm start` runs (the default).',
    }),
    STORAGE_S3_REGION: str({
      default: 'us-east-1',
      description: 'Region the S3 requests and presigned URLs are signed for.',
    }),
    STORAGE_S3_BUCKET: str({
      default: 'bourse-uploads',
      description:
        'Bucket holding uploads and their thumbnails (private: reads go through presigned GETs).',
    }),
    STORAGE_S3_ACCESS_KEY_ID: str({
      default: '',
      minLength: 0,
      secret: true,
      description:
        'Static S3 access key; unset: the AWS SDK default chain (IRSA, instance role) in production, the local simulator key otherwise.',
    }),
    STORAGE_S3_SECRET_ACCESS_KEY: str({
      default: '',
      minLength: 0,
      secret: true,
      description: 'Secret of STORAGE_S3_ACCESS_KEY_ID (both set or both unset).',
    }),
    STORAGE_S3_FORCE_PATH_STYLE: oneOf(['true', 'false'] as const, {
      default: 'true',
      description:
        '`true`: `endpoint/bucket/key` URLs (MinIO, the simulator); `false`: virtual-hosted `bucket.endpoint/key` (AWS).',
    }),
    STORAGE_UPLOAD_URL_TTL_SECONDS: int({
      default: '600',
      min: 60,
      max: 3600,
      description: 'Lifetime of a presigned POST upload policy.',
    }),
    STORAGE_READ_URL_TTL_SECONDS: int({
      default: '300',
      min: 10,
      max: 3600,
      description: 'Lifetime of a presigned GET read URL.',
    }),
    STORAGE_PENDING_TTL_HOURS: int({
      default: '24',
      min: 1,
      description:
        'Age after which an upload never completed is expired by the worker and its object deleted.',
    }),
    STORAGE_SWEEP_INTERVAL_SECONDS: int({
      default: '3600',
      min: 1,
      description: 'How often the worker sweeps uploads pending past STORAGE_PENDING_TTL_HOURS.',
    }),
  },
  read: (v) => ({
    endpoint: v.STORAGE_S3_ENDPOINT,
    region: v.STORAGE_S3_REGION,
    bucket: v.STORAGE_S3_BUCKET,
    /** Absent: the AWS SDK's default credential chain (production) or the simulator's key. */
    credentials: v.STORAGE_S3_ACCESS_KEY_ID
      ? {
          accessKeyId: v.STORAGE_S3_ACCESS_KEY_ID,
          secretAccessKey: v.STORAGE_S3_SECRET_ACCESS_KEY,
        }
      : undefined,
    forcePathStyle: v.STORAGE_S3_FORCE_PATH_STYLE === 'true',
    uploadUrlTtlSeconds: v.STORAGE_UPLOAD_URL_TTL_SECONDS,
    readUrlTtlSeconds: v.STORAGE_READ_URL_TTL_SECONDS,
    pendingTtlHours: v.STORAGE_PENDING_TTL_HOURS,
    sweepIntervalSeconds: v.STORAGE_SWEEP_INTERVAL_SECONDS,
  }),
  check: (v) =>
    !v.STORAGE_S3_ACCESS_KEY_ID !== !v.STORAGE_S3_SECRET_ACCESS_KEY
      ? ['STORAGE_S3_ACCESS_KEY_ID: set it and STORAGE_S3_SECRET_ACCESS_KEY together, or neither']
      : [],
});

/** The config storage's services inject (APP_CONFIG): the platform's and `storage`. */
export type StorageAppConfig = AppConfig & SectionConfig<typeof STORAGE_CONFIG>;

/**
 * The origin browsers POST upload forms to (the presigned POST's URL): the endpoint itself with
 * path-style URLs, `bucket.` + its host with virtual-hosted ones. A web app's CSP must let it
 * connect there.
 */
export function uploadFormOrigin(storage: StorageAppConfig['storage']): string {
  const endpoint = new URL(storage.endpoint);
  if (!storage.forcePathStyle) {
    endpoint.hostname = `${storage.bucket}.${endpoint.hostname}`;
  }

  return endpoint.origin;
}
