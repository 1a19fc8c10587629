import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateAuditEvents1764000010000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    // Written by AuditLog in the transaction of each admin change; read newest first by id
    // (UUIDv7, time-ordered), all of them or one target's.
    await q.query(`
      CREATE TABLE audit_events (
        id      uuid PRIMARY KEY,
        at      timestamptz NOT NULL DEFAULT now(),
        actor   text NOT NULL,
        action  text NOT NULL,
        target  text NOT NULL,
        details jsonb NOT NULL DEFAULT '{}'
      )`);
    await q.query(`CREATE INDEX audit_events_target_idx ON audit_events (target, id)`);
    // A trail that can be edited is not one: like the ledger's journal, append-only.
    await q.query(`
      CREATE FUNCTION audit_events_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_events is append-only';
      END $$`);
    await q.query(`
      CREATE TRIGGER audit_events_immutable BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_events
        FOR EACH STATEMENT EXECUTE FUNCTION audit_events_immutable()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_events`);
    await q.query(`DROP FUNCTION audit_events_immutable()`);
  }
}
