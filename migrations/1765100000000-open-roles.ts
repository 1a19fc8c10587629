import type { MigrationInterface, QueryRunner } from 'typeorm';

export class OpenRoles1765100000000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    // Roles are an open set the platform and the libs declare in code (defineRole: compliance,
    // support, a lib's own); the column only keeps their shape, so a new role needs no migration.
    await q.query(`ALTER TABLE users DROP CONSTRAINT users_role_check`);
    await q.query(
      `ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role ~ '^[a-z][a-z_]*$')`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    // Fails while a user holds another role: reassign them first.
    await q.query(`ALTER TABLE users DROP CONSTRAINT users_role_check`);
    await q.query(
      `ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN ('user', 'admin'))`,
    );
  }
}
