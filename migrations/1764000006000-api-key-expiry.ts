import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ApiKeyExpiry1764000006000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    // NULL: the key works until revoked. Existing keys keep working as before.
    await q.query(`
      ALTER TABLE api_keys
        ADD COLUMN expires_at timestamptz,
        ADD CONSTRAINT api_keys_expires_after_creation CHECK (expires_at > created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE api_keys DROP COLUMN expires_at`);
  }
}
