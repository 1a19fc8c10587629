import { rows, type Tx } from '@bourse/platform';
import { Injectable } from '@nestjs/common';
import type { UploadContentType } from './content-types';
import type { RejectReason, ThumbnailState, Upload, UploadState } from './storage.types';

interface UploadRow {
  id: string;
  owner_id: string;
  purpose: string;
  incoming_key: string;
  object_key: string;
  content_type: UploadContentType;
  size: string;
  state: UploadState;
  reject_reason: RejectReason | null;
  sha256: string | null;
  thumbnail_state: ThumbnailState;
  created_at: Date;
  upload_expires_at: Date;
  settled_at: Date | null;
}

const toUpload = (row: UploadRow): Upload => ({
  id: row.id,
  ownerId: row.owner_id,
  purpose: row.purpose,
  incomingKey: row.incoming_key,
  objectKey: row.object_key,
  contentType: row.content_type,
  size: Number(row.size),
  state: row.state,
  rejectReason: row.reject_reason ?? undefined,
  sha256: row.sha256 ?? undefined,
  thumbnailState: row.thumbnail_state,
  createdAt: row.created_at,
  uploadExpiresAt: row.upload_expires_at,
  settledAt: row.settled_at ?? undefined,
});

export type NewUpload = Pick<
  Upload,
  | 'id'
  | 'ownerId'
  | 'purpose'
  | 'incomingKey'
  | 'objectKey'
  | 'contentType'
  | 'size'
  | 'uploadExpiresAt'
>;

/** How `complete` settles a pending upload. */
export type Settlement =
  | { state: 'verified'; sha256: string; thumbnail: 'none' | 'pending' }
  | { state: 'rejected'; reason: RejectReason };

@Injectable()
export class UploadRepository {
  async insert(tx: Tx, upload: NewUpload): Promise<Upload> {
    const [row] = await rows<UploadRow>(
      tx,
      `INSERT INTO uploads (id, owner_id, purpose, incoming_key, object_key, content_type, size, upload_expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       RETURNING *`,
      [
        upload.id,
        upload.ownerId,
        upload.purpose,
        upload.incomingKey,
        upload.objectKey,
        upload.contentType,
        upload.size,
        upload.uploadExpiresAt,
      ],
    );

    return toUpload(row!);
  }

  async find(tx: Tx, id: string): Promise<Upload | undefined> {
    const [row] = await rows<UploadRow>(tx, `SELECT * FROM uploads WHERE id = $1`, [id]);

    return row && toUpload(row);
  }

  /**
   * Moves a pending upload to its outcome; undefined when it is no longer pending (another
   * complete or the sweep settled it first), so exactly one of them decides.
   */
  async settle(tx: Tx, id: string, settlement: Settlement): Promise<Upload | undefined> {
    const verified = settlement.state === 'verified';
    const [row] = await rows<UploadRow>(
      tx,
      `UPDATE uploads
          SET state = $2, reject_reason = $3, sha256 = $4, thumbnail_state = $5, settled_at = now()
        WHERE id = $1 AND state = 'pending'
        RETURNING *`,
      [
        id,
        settlement.state,
        verified ? null : settlement.reason,
        verified ? settlement.sha256 : null,
        verified ? settlement.thumbnail : 'none',
      ],
    );

    return row && toUpload(row);
  }

  /**
   * Locks up to `limit` uploads still pending since before `before`, oldest first; rows another
   * transaction holds (a sweep in another worker, a complete settling) are skipped.
   */
  async lockStalePending(tx: Tx, before: Date, limit: number): Promise<Upload[]> {
    const found = await rows<UploadRow>(
      tx,
      `SELECT * FROM uploads
        WHERE state = 'pending' AND created_at < $1
        ORDER BY created_at
        LIMIT $2
        FOR UPDATE SKIP LOCKED`,
      [before, limit],
    );

    return found.map(toUpload);
  }

  async expire(tx: Tx, ids: string[]): Promise<void> {
    await rows(
      tx,
      `UPDATE uploads SET state = 'expired', settled_at = now()
        WHERE id = ANY($1::uuid[]) AND state = 'pending'`,
      [ids],
    );
  }

  async setThumbnail(tx: Tx, id: string, state: 'ready' | 'failed'): Promise<void> {
    await rows(
      tx,
      `UPDATE uploads SET thumbnail_state = $2 WHERE id = $1 AND thumbnail_state = 'pending'`,
      [id, state],
    );
  }
}
