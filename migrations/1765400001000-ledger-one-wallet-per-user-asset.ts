import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One wallet per user and asset: `AccountsService.ensureWallet` derives a wallet's id from both, and
 * an admin creating a second one under another id is refused by this index. A database holding
 * two already fails here: which one the user keeps is a decision for a person, not a migration.
 */
export class LedgerOneWalletPerUserAsset1765400001000 implements MigrationInterface {
  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE UNIQUE INDEX ledger_accounts_user_wallet_key
          ON ledger_accounts (owner, asset) WHERE kind = 'user_wallet'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ledger_accounts_user_wallet_key`);
  }
}
