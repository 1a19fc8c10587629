import type { MigrationInterface, QueryRunner } from 'typeorm';

const FUNCTIONS = [
  'ledger_post_transfer(uuid, uuid, uuid, text, bigint, text, jsonb, boolean, integer)',
  `ledger_post_transfer_once(text, text, text, text, text, integer, uuid, uuid, uuid, text, bigint,
                             text, jsonb, boolean, integer)`,
  `ledger_post_transfers_once(text[], text[], text[], text[], text[], integer, uuid[], uuid[],
                              uuid[], text[], bigint[], text[], jsonb[], boolean[], integer[])`,
];

/**
 * The posting functions plan their statements with `enable_seqscan = off`. PL/pgSQL keeps a
 * statement's generic plan for the life of the connection, until an ANALYZE of one of its tables
 * invalidates it. A table analyzed while empty (a new deployment; idempotency_keys after a quiet
 * night) gets a sequential-scan plan for its primary-key lookups, which every pooled connection
 * then keeps while the table fills: on the bench, the key lookup of ledger_post_transfer_once
 * scanned the whole of idempotency_keys for each transfer, and Postgres spent 1.9 ms per HTTP
 * transfer instead of 0.4–0.6, until autovacuum analyzed the table again. Every statement of these
 * functions is a primary-key probe, so an index plan is right at any size.
 */
export class LedgerFunctionsIndexPlans1764000014000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    for (const fn of FUNCTIONS) {
      await q.query(`ALTER FUNCTION ${fn} SET enable_seqscan = off`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const fn of FUNCTIONS) {
      await q.query(`ALTER FUNCTION ${fn} RESET enable_seqscan`);
    }
  }
}
