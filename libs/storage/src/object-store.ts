import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { APP_CONFIG } from '@bourse/platform';
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { StorageAppConfig } from './storage.config';
import { StorageUnavailableError } from './storage.errors';

/** The key pair the local S3 simulator accepts; used outside production when none is set. */
export const SIMULATOR_CREDENTIALS = {
  accessKeyId: 'bourse-dev-access-key',
  secretAccessKey: 'bourse-dev-secret-key-not-for-production',
} as const;

export interface PresignedPost {
  url: string;
  fields: Record<string, string>;
}

/** What a full read of an object found: its size, SHA-256 and first bytes. */
export interface Inspection {
  size: number;
  sha256: string;
  head: Buffer;
  etag: string;
}

const statusOf = (error: unknown): number | undefined =>
  (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;

/**
 * The bucket, through the AWS SDK v3. Bytes never pass through the api: clients upload with a
 * presigned POST and read with presigned GETs; only the worker and `complete` read objects.
 */
@Injectable()
export class ObjectStore implements OnApplicationShutdown {
  readonly bucket: string;
  private readonly client: S3Client;
  private readonly logger = new Logger('ObjectStore');

  constructor(@Inject(APP_CONFIG) config: StorageAppConfig) {
    const { storage } = config;
    this.bucket = storage.bucket;
    this.client = new S3Client({
      endpoint: storage.endpoint,
      region: storage.region,
      forcePathStyle: storage.forcePathStyle,
      // Undefined lets the SDK's default chain find IRSA's web identity or an instance role.
      credentials:
        storage.credentials ?? (config.env === 'production' ? undefined : SIMULATOR_CREDENTIALS),
      // Whole-buffer bodies signed with their SHA-256; no aws-chunked trailers to stream.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  onApplicationShutdown(): void {
    this.client.destroy();
  }

  /**
   * A POST policy that lets S3 itself refuse anything but exactly `size` bytes of `contentType`
   * at `key`, until `expiresSeconds` from now.
   */
  presignPost(
    key: string,
    prefix: string,
    contentType: string,
    size: number,
    expiresSeconds: number,
  ): Promise<PresignedPost> {
    // Signing is local, but resolving credentials (IRSA's token exchange) is not.
    return this.call('PRESIGN', () =>
      createPresignedPost(this.client, {
        Bucket: this.bucket,
        Key: key,
        Conditions: [
          ['content-length-range', size, size],
          ['eq', '$Content-Type', contentType],
          ['starts-with', '$key', prefix],
        ],
        Fields: { 'Content-Type': contentType },
        Expires: expiresSeconds,
      }),
    );
  }

  presignGet(key: string, expiresSeconds: number): Promise<string> {
    return this.call('PRESIGN', () =>
      getSignedUrl(this.client, new GetObjectCommand({ Bucket: this.bucket, Key: key }), {
        expiresIn: expiresSeconds,
      }),
    );
  }

  /** Size and stored Content-Type, or undefined when there is no such object. */
  async head(key: string): Promise<{ size: number; contentType?: string } | undefined> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));

      return { size: head.ContentLength ?? 0, contentType: head.ContentType };
    } catch (error) {
      if (statusOf(error) === 404) {
        return undefined;
      }
      throw this.unavailable('HEAD', error);
    }
  }

  /** Streams the whole object once: SHA-256 over every byte, the first `sniffBytes` kept. */
  async inspect(key: string, sniffBytes: number): Promise<Inspection | undefined> {
    const object = await this.get(key);
    if (!object) {
      return undefined;
    }
    const hash = createHash('sha256');
    const head: Buffer[] = [];
    let size = 0;
    for await (const chunk of object.body) {
      const bytes = chunk as Buffer;
      hash.update(bytes);
      if (size < sniffBytes) {
        head.push(bytes.subarray(0, sniffBytes - size));
      }
      size += bytes.length;
    }

    return { size, sha256: hash.digest('hex'), head: Buffer.concat(head), etag: object.etag };
  }

  async read(key: string): Promise<Buffer | undefined> {
    const object = await this.get(key);
    if (!object) {
      return undefined;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of object.body) {
      chunks.push(chunk as Buffer);
    }

    return Buffer.concat(chunks);
  }

  /**
   * Copies `from` to `to` only if `from` still has `etag`: the copy is the very bytes that were
   * inspected, even if the uploader re-posts to the upload key meanwhile. False when it changed.
   */
  async copyIfUnchanged(from: string, to: string, etag: string): Promise<boolean> {
    try {
      await this.client.send(
        new CopyObjectCommand({
          Bucket: this.bucket,
          Key: to,
          CopySource: `${this.bucket}/${from.split('/').map(encodeURIComponent).join('/')}`,
          CopySourceIfMatch: etag,
        }),
      );

      return true;
    } catch (error) {
      if (statusOf(error) === 412 || statusOf(error) === 404) {
        return false;
      }
      throw this.unavailable('COPY', error);
    }
  }

  async put(key: string, body: Buffer, contentType: string): Promise<void> {
    await this.call('PUT', () =>
      this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: body,
          ContentType: contentType,
        }),
      ),
    );
  }

  /** Deleting a missing object succeeds, as in S3. */
  async delete(key: string): Promise<void> {
    await this.call('DELETE', () =>
      this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key })),
    );
  }

  private async get(key: string): Promise<{ body: Readable; etag: string } | undefined> {
    try {
      const object = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: key }),
      );

      return { body: object.Body as Readable, etag: object.ETag ?? '' };
    } catch (error) {
      if (statusOf(error) === 404) {
        return undefined;
      }
      throw this.unavailable('GET', error);
    }
  }

  private async call<T>(operation: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw this.unavailable(operation, error);
    }
  }

  /** The client sees a retryable 503; the cause stays in the log. */
  private unavailable(operation: string, error: unknown): StorageUnavailableError {
    this.logger.error({ msg: 'S3 request failed', operation, bucket: this.bucket, err: error });

    return new StorageUnavailableError(operation);
  }
}
