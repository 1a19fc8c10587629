/** The platform's own queue: housekeeping jobs that belong to no domain lib. */
export const PLATFORM_QUEUE = 'platform';

export const PlatformJob = {
  PurgeIdempotencyKeys: 'platform.purge-idempotency-keys',
  PurgeOutbox: 'platform.purge-outbox',
  SendAccountEmail: 'platform.send-account-email',
} as const;

/** A verification or reset e-mail: the token's id only (its secret is derived when sending). */
export interface SendAccountEmailJob {
  tokenId: string;
}

/** `bucket` is the start of the schedule's time bucket (ISO), the job id's business key. */
export interface PurgeIdempotencyKeysJob {
  bucket: string;
}
