import type { MigrationInterface, QueryRunner } from 'typeorm';

export class UserDisabled1764000007000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    // Set by an admin (fraud, a closed account): the user can no longer sign in or refresh.
    await q.query(`ALTER TABLE users ADD COLUMN disabled_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users DROP COLUMN disabled_at`);
  }
}
