import type { MigrationInterface, QueryRunner } from 'typeorm';

export class IndexFinishedOutbox1764000003000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    // Serves the worker's purge of finished rows (OutboxRepository.deleteFinished).
    await q.query(`
      CREATE INDEX outbox_finished_idx ON outbox (COALESCE(completed_at, failed_at))
       WHERE completed_at IS NOT NULL OR failed_at IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX outbox_finished_idx`);
  }
}
