import {
  APP_CONFIG,
  Database,
  ForbiddenError,
  newId,
  OutboxService,
  type Principal,
} from '@bourse/platform';
import { Inject, Injectable, Logger } from '@nestjs/common';
import sharp from 'sharp';
import { matchesContentType, SNIFF_BYTES, type UploadContentType } from './content-types';
import {
  toUploadDto,
  type CreateUploadDto,
  type PresignedUploadDto,
  type ReadUrlDto,
  type ReadVariant,
  type UploadDto,
} from './dto/upload.dto';
import { ObjectStore } from './object-store';
import type { StorageAppConfig } from './storage.config';
import {
  ContentTypeNotAllowedError,
  ObjectMissingError,
  SizeOutOfRangeError,
  ThumbnailUnavailableError,
  UnknownPurposeError,
  UploadChangedError,
  UploadNotFoundError,
  UploadNotVerifiedError,
} from './storage.errors';
import { STORAGE_QUEUE, StorageJob, type ThumbnailJob } from './storage.jobs';
import type { RejectReason, Upload } from './storage.types';
import { UploadPurposes } from './upload-purpose';
import { UploadRepository, type Settlement } from './upload.repository';

/** Where the verified object's thumbnail is stored, beside it. */
export const thumbnailKeyOf = (upload: Pick<Upload, 'objectKey'>): string =>
  `${upload.objectKey}.thumb.webp`;

function ownerOf(principal: Principal | undefined): string {
  if (principal?.kind !== 'user') {
    throw new ForbiddenError('Only users upload files');
  }

  return principal.userId;
}

/**
 * Uploads: presigned POSTs whose policy S3 enforces, a completion that checks what landed, read
 * URLs for those the purpose allows, thumbnails and the sweep of abandoned uploads.
 */
@Injectable()
export class UploadsService {
  private readonly logger = new Logger('Uploads');

  constructor(
    @Inject(APP_CONFIG) private readonly config: StorageAppConfig,
    private readonly db: Database,
    private readonly uploads: UploadRepository,
    private readonly store: ObjectStore,
    private readonly purposes: UploadPurposes,
    private readonly outbox: OutboxService,
  ) {}

  async create(
    principal: Principal | undefined,
    input: CreateUploadDto,
  ): Promise<PresignedUploadDto> {
    const ownerId = ownerOf(principal);
    const purpose = this.purposes.get(input.purpose);
    if (!purpose) {
      throw new UnknownPurposeError(input.purpose);
    }
    if (!purpose.contentTypes.includes(input.contentType)) {
      throw new ContentTypeNotAllowedError(purpose.name, purpose.contentTypes);
    }
    const minBytes = purpose.minBytes ?? 1;
    if (input.size < minBytes || input.size > purpose.maxBytes) {
      throw new SizeOutOfRangeError(purpose.name, minBytes, purpose.maxBytes);
    }
    const id = newId();
    // The client may write only under its own incoming prefix; verified bytes are copied out of it.
    const prefix = `incoming/${purpose.name}/${ownerId}/`;
    const ttl = this.config.storage.uploadUrlTtlSeconds;
    const upload = await this.uploads.insert(this.db.manager, {
      id,
      ownerId,
      purpose: purpose.name,
      incomingKey: `${prefix}${id}`,
      objectKey: `files/${purpose.name}/${ownerId}/${id}`,
      contentType: input.contentType,
      size: input.size,
      uploadExpiresAt: new Date(Date.now() + ttl * 1000),
    });
    const post = await this.store.presignPost(
      upload.incomingKey,
      prefix,
      upload.contentType,
      upload.size,
      ttl,
    );

    return { uploadId: id, url: post.url, fields: post.fields, expiresAt: upload.uploadExpiresAt };
  }

  async get(principal: Principal | undefined, id: string): Promise<UploadDto> {
    return toUploadDto(await this.readable(principal, id));
  }

  /**
   * Checks what landed at the upload key against what was declared (HEAD: size and stored type;
   * a full read: the first bytes and SHA-256) and settles the upload. Nothing there yet is a 409
   * and the upload stays pending; a settled upload is answered as it is.
   */
  async complete(principal: Principal | undefined, id: string): Promise<UploadDto> {
    const upload = await this.uploads.find(this.db.manager, id);
    if (!upload || principal?.kind !== 'user' || upload.ownerId !== principal.userId) {
      throw new UploadNotFoundError(id);
    }
    if (upload.state !== 'pending') {
      return toUploadDto(upload);
    }
    let settlement: Settlement;
    try {
      settlement = await this.check(upload);
    } catch (error) {
      // A concurrent complete that settled first has deleted the incoming object under this
      // check: answer with its outcome rather than with what that did here.
      const current = await this.uploads.find(this.db.manager, id);
      if (current && current.state !== 'pending') {
        return toUploadDto(current);
      }
      throw error;
    }
    const settled = await this.db.transaction(undefined, async (tx) => {
      const result = await this.uploads.settle(tx, id, settlement);
      if (result?.state === 'verified' && result.thumbnailState === 'pending') {
        await this.outbox.enqueue<ThumbnailJob>(tx, {
          queue: STORAGE_QUEUE,
          name: StorageJob.Thumbnail,
          jobId: `storage-thumbnail:${id}`,
          payload: {
            uploadId: id,
            maxPixels: this.purposes.get(upload.purpose)!.thumbnail!.maxPixels,
          },
        });
      }

      return result;
    });
    if (!settled) {
      // The sweep (or a concurrent complete) settled it first; a copy made for an upload that
      // did not end verified belongs to nobody.
      const current = (await this.uploads.find(this.db.manager, id))!;
      if (settlement.state === 'verified' && current.state !== 'verified') {
        await this.discard(current.objectKey);
      }

      return toUploadDto(current);
    }
    if (settled.state === 'rejected') {
      this.logger.warn({ msg: 'upload rejected', uploadId: id, reason: settled.rejectReason });
    }
    // The incoming object is done with either way: copied out if verified, refused if not.
    await this.discard(upload.incomingKey);

    return toUploadDto(settled);
  }

  async readUrl(
    principal: Principal | undefined,
    id: string,
    variant: ReadVariant = 'original',
  ): Promise<ReadUrlDto> {
    const upload = await this.readable(principal, id);
    if (upload.state !== 'verified') {
      throw new UploadNotVerifiedError(id, upload.state);
    }
    if (variant === 'thumbnail' && upload.thumbnailState !== 'ready') {
      throw new ThumbnailUnavailableError(id, upload.thumbnailState);
    }
    const ttl = this.config.storage.readUrlTtlSeconds;
    const expiresAt = new Date(Date.now() + ttl * 1000);
    const key = variant === 'thumbnail' ? thumbnailKeyOf(upload) : upload.objectKey;

    return { url: await this.store.presignGet(key, ttl), expiresAt };
  }

  /**
   * A read URL for a lib that decides and records who reads its files itself (KYC audits each
   * document read): no principal check here, so its purpose lists no other readers.
   */
  async readUrlFor(id: string): Promise<ReadUrlDto> {
    const upload = await this.verified(id);
    const ttl = this.config.storage.readUrlTtlSeconds;

    return {
      url: await this.store.presignGet(upload.objectKey, ttl),
      expiresAt: new Date(Date.now() + ttl * 1000),
    };
  }

  /** The verified bytes and their type, for a worker job that hands them on (a KYC vendor). */
  async readContent(id: string): Promise<{ content: Buffer; contentType: UploadContentType }> {
    const upload = await this.verified(id);
    const content = await this.store.read(upload.objectKey);
    if (!content) {
      throw new ObjectMissingError(id);
    }

    return { content, contentType: upload.contentType };
  }

  /** Deletes the stored bytes and thumbnail of an upload (erasure); the row and hash stay. */
  async deleteObjects(id: string): Promise<void> {
    const upload = await this.uploads.find(this.db.manager, id);
    if (upload) {
      await this.store.delete(upload.objectKey);
      await this.store.delete(thumbnailKeyOf(upload));
    }
  }

  /**
   * Expires up to `limit` uploads pending since before `before` and deletes whatever was posted
   * for them; returns how many. Each row stays locked while its object is deleted, so a
   * complete racing the sweep either settled it first or finds it expired.
   */
  sweepPending(before: Date, limit: number): Promise<number> {
    return this.db.transaction(undefined, async (tx) => {
      const stale = await this.uploads.lockStalePending(tx, before, limit);
      for (const upload of stale) {
        await this.store.delete(upload.incomingKey);
      }
      await this.uploads.expire(
        tx,
        stale.map((upload) => upload.id),
      );

      return stale.length;
    });
  }

  /**
   * Writes the WebP thumbnail of a verified image (EXIF orientation applied, never enlarged).
   * Runs at least once per verified upload: a repeat finds the state no longer pending.
   * An image sharp cannot decode marks the thumbnail failed rather than retrying forever.
   */
  async makeThumbnail(job: ThumbnailJob): Promise<'ready' | 'failed' | 'skipped'> {
    const upload = await this.uploads.find(this.db.manager, job.uploadId);
    if (upload?.state !== 'verified' || upload.thumbnailState !== 'pending') {
      return 'skipped';
    }
    const original = await this.store.read(upload.objectKey);
    let thumbnail: Buffer | undefined;
    try {
      thumbnail =
        original &&
        (await sharp(original)
          .rotate()
          .resize({
            width: job.maxPixels,
            height: job.maxPixels,
            fit: 'inside',
            withoutEnlargement: true,
          })
          .webp()
          .toBuffer());
    } catch (error) {
      this.logger.warn({ msg: 'thumbnail failed', uploadId: upload.id, err: error });
    }
    if (thumbnail) {
      await this.store.put(thumbnailKeyOf(upload), thumbnail, 'image/webp');
    }
    const state = thumbnail ? 'ready' : 'failed';
    await this.uploads.setThumbnail(this.db.manager, upload.id, state);

    return state;
  }

  /** What a completion found; throws while nothing has been uploaded. */
  private async check(upload: Upload): Promise<Settlement> {
    const head = await this.store.head(upload.incomingKey);
    if (!head) {
      throw new ObjectMissingError(upload.id);
    }
    const reject = (reason: RejectReason): Settlement => ({ state: 'rejected', reason });
    if (head.size !== upload.size) {
      return reject('storage.size_mismatch');
    }
    if (head.contentType !== upload.contentType) {
      return reject('storage.content_type_mismatch');
    }
    const found = await this.store.inspect(upload.incomingKey, SNIFF_BYTES);
    if (!found) {
      throw new ObjectMissingError(upload.id);
    }
    if (found.size !== upload.size) {
      return reject('storage.size_mismatch');
    }
    if (!matchesContentType(upload.contentType, found.head)) {
      return reject('storage.content_mismatch');
    }
    // The copy is made only if the object is still the one just hashed (its ETag).
    if (!(await this.store.copyIfUnchanged(upload.incomingKey, upload.objectKey, found.etag))) {
      throw new UploadChangedError(upload.id);
    }

    return {
      state: 'verified',
      sha256: found.sha256,
      thumbnail: this.purposes.get(upload.purpose)?.thumbnail ? 'pending' : 'none',
    };
  }

  /** Deletes an object nobody will read; a failure only leaves garbage, so it is logged. */
  private async discard(key: string): Promise<void> {
    try {
      await this.store.delete(key);
    } catch (error) {
      this.logger.warn({ msg: 'object not deleted', key, err: error });
    }
  }

  private async verified(id: string): Promise<Upload> {
    const upload = await this.uploads.find(this.db.manager, id);
    if (!upload) {
      throw new UploadNotFoundError(id);
    }
    if (upload.state !== 'verified') {
      throw new UploadNotVerifiedError(id, upload.state);
    }

    return upload;
  }

  private async readable(principal: Principal | undefined, id: string): Promise<Upload> {
    const upload = await this.uploads.find(this.db.manager, id);
    if (!upload || !this.purposes.canRead(principal, upload)) {
      throw new UploadNotFoundError(id);
    }

    return upload;
  }
}
