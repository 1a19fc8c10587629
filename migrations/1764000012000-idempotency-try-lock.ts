import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The Idempotency-Key lock of the atomic mode, for handlers that write in a transaction of their
 * own (IdempotencyService.runInTransaction): the same transaction-scoped advisory lock, on the
 * same (class, hash), that ledger_post_transfer_once takes (1764000011000), so a key is held by
 * one call at a time whichever route it is sent to.
 */
export class IdempotencyTryLock1764000012000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION idempotency_try_lock(p_scope text, p_key text) RETURNS boolean
      LANGUAGE sql VOLATILE AS $$
        SELECT pg_try_advisory_xact_lock(x'1DE5'::int, hashtext(p_scope || chr(10) || p_key))
      $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION idempotency_try_lock`);
  }
}
