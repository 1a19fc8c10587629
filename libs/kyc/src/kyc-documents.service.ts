import { UploadsService, type ReadUrlDto } from '@bourse/storage';
import { AuditLog, Database, newId, type Principal } from '@bourse/platform';
import { Injectable } from '@nestjs/common';
import type { AttachDocumentDto, KycDto } from './dto/kyc.dto';
import { KYC_AUDIT } from './kyc.audit';
import { KYC_DOCUMENT } from './kyc.documents';
import { KycDocumentsRepository } from './kyc-documents.repository';
import {
  KycCaseNotFoundError,
  KycDocumentNotFoundError,
  KycDocumentsClosedError,
  KycUploadNotUsableError,
} from './kyc.errors';
import { KycRepository } from './kyc.repository';
import { KycService, userIdOf } from './kyc.service';
import type { KycState } from './kyc.states';

/** States in which the applicant may add documents. */
const OPEN_STATES: readonly KycState[] = ['not_started', 'collecting', 'resubmission_requested'];

/** Identity documents linked to a case, and compliance's audited reads of them. */
@Injectable()
export class KycDocumentsService {
  constructor(
    private readonly db: Database,
    private readonly cases: KycRepository,
    private readonly documents: KycDocumentsRepository,
    private readonly kyc: KycService,
    private readonly uploads: UploadsService,
    private readonly audit: AuditLog,
  ) {}

  /**
   * Links a verified `kyc.document` upload of the caller to their case, replacing the document
   * of the same type and side. After a resubmission request it reopens the case (`collecting`).
   */
  async attach(principal: Principal | undefined, body: AttachDocumentDto): Promise<KycDto> {
    const userId = userIdOf(principal);
    const upload = await this.uploads.get(principal, body.uploadId).catch(() => undefined);
    if (!upload || upload.purpose !== KYC_DOCUMENT.name) {
      throw new KycUploadNotUsableError(
        body.uploadId,
        `not a ${KYC_DOCUMENT.name} upload of yours`,
      );
    }
    if (upload.state !== 'verified') {
      throw new KycUploadNotUsableError(body.uploadId, `it is ${upload.state}, not verified`);
    }

    return this.db.transaction(undefined, async (tx) => {
      let current = await this.cases.lockByUser(tx, userId, newId());
      if (!OPEN_STATES.includes(current.state)) {
        throw new KycDocumentsClosedError(current.state);
      }
      const linked = await this.documents.link(tx, {
        id: newId(),
        caseId: current.id,
        uploadId: body.uploadId,
        type: body.type,
        side: body.side,
      });
      if (linked.caseId !== current.id) {
        throw new KycUploadNotUsableError(body.uploadId, 'it belongs to another case');
      }
      if (current.state === 'resubmission_requested') {
        current = await this.kyc.transition(tx, current, {
          to: 'collecting',
          actor: principal,
          reasonCode: 'document_added',
        });
      }

      return this.kyc.toKycDto(current, tx);
    });
  }

  /**
   * A short-lived read URL of one document of a case, for compliance: the read is recorded in
   * the audit trail before the URL is made.
   */
  async readForReview(
    principal: Principal | undefined,
    caseId: string,
    documentId: string,
  ): Promise<ReadUrlDto> {
    const doc = await this.db.transaction(undefined, async (tx) => {
      if (!(await this.cases.find(tx, caseId))) {
        throw new KycCaseNotFoundError(caseId);
      }
      const found = await this.documents.find(tx, caseId, documentId);
      if (!found || found.erasedAt) {
        throw new KycDocumentNotFoundError(documentId);
      }
      await this.audit.record(
        tx,
        { actor: principal },
        KYC_AUDIT.event('kyc_document.read', found.id, {
          caseId,
          uploadId: found.uploadId,
          type: found.type,
          side: found.side,
        }),
      );

      return found;
    });

    return this.uploads.readUrlFor(doc.uploadId);
  }
}
