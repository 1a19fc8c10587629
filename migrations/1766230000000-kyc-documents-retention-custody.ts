import type { MigrationInterface, QueryRunner } from 'typeorm';

export class KycDocumentsRetentionCustody1766230000000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    // libs/kyc: identity documents linked to a case (an upload of purpose kyc.document). `redo` is
    // set by a resubmission request and cleared by a replacement of the same type and side.
    await q.query(`
      CREATE TABLE kyc_documents (
        id          uuid PRIMARY KEY,
        case_id     uuid NOT NULL REFERENCES kyc_cases (id),
        upload_id   uuid NOT NULL UNIQUE,
        type        text NOT NULL,
        side        text NOT NULL CHECK (side IN ('front', 'back', 'single')),
        redo        boolean NOT NULL DEFAULT false,
        replaced_by uuid REFERENCES kyc_documents (id),
        vendor_ref  text,
        erased_at   timestamptz,
        created_at  timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX kyc_documents_case_idx ON kyc_documents (case_id, created_at)`);
    // The vendor's applicant id; when the PII may be erased (set by a final state); when it was.
    await q.query(`
      ALTER TABLE kyc_cases
        ADD COLUMN vendor_applicant_id text,
        ADD COLUMN retain_until timestamptz,
        ADD COLUMN erased_at timestamptz`);
    await q.query(`
      CREATE INDEX kyc_cases_retention_idx ON kyc_cases (retain_until)
        WHERE erased_at IS NULL AND retain_until IS NOT NULL`);
    // libs/trading: each run of the custody reconciliation, per metal; a bucket is run once.
    await q.query(`
      CREATE TABLE trading_custody_reconciliations (
        id            uuid PRIMARY KEY,
        bucket        timestamptz NOT NULL,
        metal         text NOT NULL,
        ledger_mg     bigint NOT NULL,
        custodian_mg  bigint NOT NULL,
        difference_mg bigint NOT NULL,
        statement_id  text NOT NULL,
        statement_at  timestamptz NOT NULL,
        created_at    timestamptz NOT NULL DEFAULT now(),
        UNIQUE (bucket, metal)
      )`);
    await q.query(
      `CREATE INDEX trading_custody_reconciliations_recent_idx ON trading_custody_reconciliations (created_at DESC, id)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE trading_custody_reconciliations`);
    await q.query(`DROP INDEX kyc_cases_retention_idx`);
    await q.query(`
      ALTER TABLE kyc_cases
        DROP COLUMN erased_at, DROP COLUMN retain_until, DROP COLUMN vendor_applicant_id`);
    await q.query(`DROP TABLE kyc_documents`);
  }
}
