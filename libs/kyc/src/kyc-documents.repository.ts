import { rows, type Tx } from '@bourse/platform';
import { Injectable } from '@nestjs/common';
import type { KycDocument, KycDocumentSide, KycDocumentType } from './kyc.documents';

interface DocumentRow {
  id: string;
  case_id: string;
  upload_id: string;
  type: KycDocumentType;
  side: KycDocumentSide;
  redo: boolean;
  replaced_by: string | null;
  vendor_ref: string | null;
  erased_at: Date | null;
  created_at: Date;
}

const toDocument = (r: DocumentRow): KycDocument => ({
  id: r.id,
  caseId: r.case_id,
  uploadId: r.upload_id,
  type: r.type,
  side: r.side,
  redo: r.redo,
  replacedBy: r.replaced_by ?? undefined,
  vendorRef: r.vendor_ref ?? undefined,
  erasedAt: r.erased_at ?? undefined,
  createdAt: r.created_at,
});

@Injectable()
export class KycDocumentsRepository {
  /**
   * Links an upload to the case; the document of the same type and side it replaces is marked
   * replaced (which settles a redo). Linking the same upload again answers the existing row.
   */
  async link(
    tx: Tx,
    doc: Pick<KycDocument, 'id' | 'caseId' | 'uploadId' | 'type' | 'side'>,
  ): Promise<KycDocument> {
    const [inserted] = await rows<DocumentRow>(
      tx,
      `INSERT INTO kyc_documents (id, case_id, upload_id, type, side) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (upload_id) DO NOTHING RETURNING *`,
      [doc.id, doc.caseId, doc.uploadId, doc.type, doc.side],
    );
    if (!inserted) {
      const [existing] = await rows<DocumentRow>(
        tx,
        `SELECT * FROM kyc_documents WHERE upload_id = $1`,
        [doc.uploadId],
      );

      return toDocument(existing!);
    }
    await rows(
      tx,
      `UPDATE kyc_documents SET replaced_by = $1
        WHERE case_id = $2 AND type = $3 AND side = $4 AND id <> $1 AND replaced_by IS NULL`,
      [inserted.id, doc.caseId, doc.type, doc.side],
    );

    return toDocument(inserted);
  }

  /** The case's current documents (not replaced), oldest first. */
  async current(tx: Tx, caseId: string): Promise<KycDocument[]> {
    const found = await rows<DocumentRow>(
      tx,
      `SELECT * FROM kyc_documents WHERE case_id = $1 AND replaced_by IS NULL
        ORDER BY created_at, id`,
      [caseId],
    );

    return found.map(toDocument);
  }

  /** Every document the case ever had, replaced ones too (an export, an erasure). */
  async all(tx: Tx, caseId: string): Promise<KycDocument[]> {
    const found = await rows<DocumentRow>(
      tx,
      `SELECT * FROM kyc_documents WHERE case_id = $1 ORDER BY created_at, id`,
      [caseId],
    );

    return found.map(toDocument);
  }

  async find(tx: Tx, caseId: string, id: string): Promise<KycDocument | undefined> {
    const [row] = await rows<DocumentRow>(
      tx,
      `SELECT * FROM kyc_documents WHERE case_id = $1 AND id = $2`,
      [caseId, id],
    );

    return row && toDocument(row);
  }

  /** Marks current documents of the case to redo; answers the ids that were not current ones. */
  async markRedo(tx: Tx, caseId: string, ids: readonly string[]): Promise<string[]> {
    const marked = await rows<{ id: string }>(
      tx,
      `UPDATE kyc_documents SET redo = true
        WHERE case_id = $1 AND id = ANY($2::uuid[]) AND replaced_by IS NULL RETURNING id`,
      [caseId, ids],
    );
    const found = new Set(marked.map((r) => r.id));

    return ids.filter((id) => !found.has(id));
  }

  async setVendorRef(tx: Tx, id: string, vendorRef: string): Promise<void> {
    await rows(tx, `UPDATE kyc_documents SET vendor_ref = $2 WHERE id = $1`, [id, vendorRef]);
  }

  async markErased(tx: Tx, caseId: string): Promise<void> {
    await rows(
      tx,
      `UPDATE kyc_documents SET erased_at = now() WHERE case_id = $1 AND erased_at IS NULL`,
      [caseId],
    );
  }
}
