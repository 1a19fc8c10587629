import { AuditLog, Database } from '@bourse/platform';
import { UploadsService } from '@bourse/storage';
import { Injectable, Logger } from '@nestjs/common';
import { KYC_AUDIT } from './kyc.audit';
import { KycDocumentsRepository } from './kyc-documents.repository';
import { KycRepository } from './kyc.repository';
import { PiiCipher } from './pii-cipher';

const BATCH = 100;

/**
 * The life of personal data after a case: erasure past its retention date (the state, events,
 * the national id's fingerprint and the documents' hashes stay) and re-encryption under the
 * current key.
 */
@Injectable()
export class KycRetentionService {
  private readonly logger = new Logger('KycRetention');

  constructor(
    private readonly db: Database,
    private readonly cases: KycRepository,
    private readonly documents: KycDocumentsRepository,
    private readonly uploads: UploadsService,
    private readonly cipher: PiiCipher,
    private readonly audit: AuditLog,
  ) {}

  /**
   * Redacts the PII of every case past its retention date and deletes its documents' files;
   * answers how many cases. Runs at least once per bucket: an erased case is not picked again.
   */
  async eraseExpired(): Promise<number> {
    let erased = 0;
    for (;;) {
      const batch = await this.db.transaction(undefined, async (tx) => {
        const due = await this.cases.lockErasable(tx, BATCH);
        const uploads: string[] = [];
        for (const found of due) {
          uploads.push(...(await this.documents.all(tx, found.id)).map((d) => d.uploadId));
          await this.cases.erase(tx, found.id);
          await this.documents.markErased(tx, found.id);
          await this.audit.record(
            tx,
            { actor: undefined },
            KYC_AUDIT.event('kyc_case.erase', found.id, { retainUntil: found.retainUntil }),
          );
        }

        return { count: due.length, uploads };
      });
      // After the commit: a failed delete leaves a file no row points to, never a row without its file.
      for (const uploadId of batch.uploads) {
        await this.uploads.deleteObjects(uploadId);
      }
      erased += batch.count;
      if (batch.count < BATCH) {
        break;
      }
    }
    if (erased > 0) {
      this.logger.log({ msg: 'kyc pii erased', cases: erased });
    }

    return erased;
  }

  /**
   * Re-seals every ciphertext under the current key (`kyc:reencrypt`, after KYC_PII_KEY changed
   * and the old key moved to KYC_PII_OLD_KEYS); the fingerprint is recomputed with it. Answers
   * how many cases changed.
   */
  async reencrypt(): Promise<number> {
    let changed = 0;
    for (;;) {
      const count = await this.db.transaction(undefined, async (tx) => {
        const stale = await this.cases.lockSealedUnder(tx, this.cipher.currentKeyId, BATCH);
        for (const found of stale) {
          const nationalId = found.nationalId && this.cipher.open(found.nationalId);
          await this.cases.update(tx, found.id, {
            nationalId: nationalId ? this.cipher.seal(nationalId) : undefined,
            nationalIdFingerprint: nationalId ? this.cipher.fingerprint(nationalId) : undefined,
            birthDate: found.birthDate && this.cipher.seal(this.cipher.open(found.birthDate)),
          });
          await this.audit.record(
            tx,
            { actor: undefined },
            KYC_AUDIT.event('kyc_case.reencrypt', found.id, { keyId: this.cipher.currentKeyId }),
          );
        }

        return stale.length;
      });
      changed += count;
      if (count < BATCH) {
        return changed;
      }
    }
  }
}
