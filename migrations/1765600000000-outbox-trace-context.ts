import type { MigrationInterface, QueryRunner } from 'typeorm';

export class OutboxTraceContext1765600000000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    // The W3C trace context of the transaction that wrote the row (null when untraced): the
    // relay enqueues later, outside any request, and hands it to the job in its data.
    await q.query(`ALTER TABLE outbox ADD COLUMN trace_context jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE outbox DROP COLUMN trace_context`);
  }
}
