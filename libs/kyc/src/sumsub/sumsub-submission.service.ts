import { Database } from '@bourse/platform';
import { UploadsService, type UploadContentType } from '@bourse/storage';
import { Injectable, Logger } from '@nestjs/common';
import { KycDocumentsRepository } from '../kyc-documents.repository';
import type { KycDocument } from '../kyc.documents';
import { KycRepository } from '../kyc.repository';
import { PiiCipher } from '../pii-cipher';
import { SumsubClient } from './sumsub.client';

const SUB_TYPES: Record<KycDocument['side'], string | undefined> = {
  front: 'FRONT_SIDE',
  back: 'BACK_SIDE',
  single: undefined,
};

const EXTENSIONS: Partial<Record<UploadContentType, string>> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'application/pdf': 'pdf',
};

/**
 * Sends a submitted case to Sumsub (the worker's `kyc.sumsub-submit` job): the applicant, each
 * document not sent yet, then the request for a check. Each step is remembered (the applicant id,
 * each image id) so a retried job carries on where the last one stopped.
 */
@Injectable()
export class SumsubSubmissionService {
  private readonly logger = new Logger('SumsubSubmission');

  constructor(
    private readonly db: Database,
    private readonly cases: KycRepository,
    private readonly documents: KycDocumentsRepository,
    private readonly uploads: UploadsService,
    private readonly cipher: PiiCipher,
    private readonly sumsub: SumsubClient,
  ) {}

  /** Answers what happened: `sent`, or `skipped` when the case is no longer waiting for it. */
  async submit(caseId: string): Promise<'sent' | 'skipped'> {
    const found = await this.cases.find(this.db.manager, caseId);
    if (found?.state !== 'submitted' || !found.nationalId || !found.birthDate) {
      return 'skipped';
    }
    let applicantId = found.vendorApplicantId;
    if (!applicantId) {
      const applicant = await this.sumsub.createApplicant({
        externalUserId: found.userId,
        firstName: found.firstName!,
        lastName: found.lastName!,
        dob: this.cipher.open(found.birthDate),
        country: found.country!,
      });
      applicantId = applicant.id;
      await this.cases.update(this.db.manager, caseId, { vendorApplicantId: applicantId });
    }
    for (const doc of await this.documents.current(this.db.manager, caseId)) {
      if (doc.vendorRef) {
        continue;
      }
      const { content, contentType } = await this.uploads.readContent(doc.uploadId);
      const imageId = await this.sumsub.addDocument(applicantId, {
        idDocType: doc.type,
        idDocSubType: SUB_TYPES[doc.side],
        country: found.country!,
        fileName: `${doc.type.toLowerCase()}-${doc.side}.${EXTENSIONS[contentType] ?? 'bin'}`,
        contentType,
        content,
      });
      await this.documents.setVendorRef(this.db.manager, doc.id, imageId);
    }
    await this.sumsub.requestCheck(applicantId);
    this.logger.log({ msg: 'case sent to sumsub', caseId, applicantId });

    return 'sent';
  }
}
