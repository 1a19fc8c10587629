import type { MigrationInterface, QueryRunner } from 'typeorm';

export class RefreshTokensRevokedIndex1764000008000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    // Every api process polls for sessions ended since its last look (RevokedSessions); most
    // tokens are never revoked, so the index holds only those that were.
    await q.query(
      `CREATE INDEX refresh_tokens_revoked_at_idx ON refresh_tokens (revoked_at)
        WHERE revoked_at IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX refresh_tokens_revoked_at_idx`);
  }
}
