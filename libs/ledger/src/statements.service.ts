import { APP_CONFIG, Database, type Tx } from '@bourse/platform';
import { Inject, Injectable } from '@nestjs/common';
import { AccountRepository } from './account.repository';
import { InvariantsRepository } from './invariants.repository';
import type { LedgerAppConfig } from './ledger.config';
import { AccountNotFoundError, InvalidCursorError } from './ledger.errors';
import type { InvariantReport, StatementPage } from './ledger.types';
import { pageSize } from './paging';
import { TransferRepository } from './transfer.repository';
import { INT64_MAX } from './transfer-rules';

/** Reading the books: an account's statement, and the invariants of the whole ledger. */
@Injectable()
export class StatementsService {
  constructor(
    private readonly db: Database,
    @Inject(APP_CONFIG) private readonly config: LedgerAppConfig,
    private readonly accounts: AccountRepository,
    private readonly transfers: TransferRepository,
    private readonly invariants: InvariantsRepository,
  ) {}

  /**
   * An account's journal lines, newest first, each with the posted balance right after it.
   * Keyset pages on the line id: lines committed between page fetches never shift later pages.
   */
  async statement(
    accountId: string,
    page: { cursor?: string; limit: number },
    outer?: Tx,
  ): Promise<StatementPage> {
    // Line ids are positive bigints: anything else was not issued by us (and past 2^63-1 the
    // comparison itself would fail in Postgres).
    if (
      page.cursor !== undefined &&
      !(/^[1-9]\d{0,18}$/.test(page.cursor) && BigInt(page.cursor) <= INT64_MAX)
    ) {
      throw new InvalidCursorError();
    }
    const limit = pageSize(page.limit);
    const tx = outer ?? this.db.manager;
    const [account] = await this.accounts.findMany(tx, [accountId]);
    if (!account) {
      throw new AccountNotFoundError(accountId);
    }
    const before = page.cursor === undefined ? undefined : BigInt(page.cursor);
    const found = await this.transfers.statement(
      tx,
      accountId,
      account.shards > 1,
      before,
      limit + 1,
    );
    const entries = found.slice(0, limit);

    return found.length > limit ? { entries, nextCursor: entries.at(-1)!.id } : { entries };
  }

  /** Checks every invariant of the ledger in one consistent snapshot. */
  verifyInvariants(outer?: Tx): Promise<InvariantReport> {
    return this.db.transaction(
      outer,
      async (tx) => {
        const checkedAt = new Date();
        const accountsChecked = await this.invariants.accountCount(tx);
        const unbalancedAssets = await this.invariants.unbalancedAssets(tx);
        const balanceEntryMismatches = await this.invariants.balanceEntryMismatches(tx);
        const pendingMismatches = await this.invariants.pendingMismatches(tx);
        const orphanTransfers = await this.invariants.orphanTransfers(tx);
        const misfiledEntries = await this.invariants.misfiledEntries(tx);
        const negativeAccounts = await this.invariants.negativeAccounts(tx);
        // The sweeper runs every interval; a hold expired for less than two of them is not late.
        const expiredPending = await this.invariants.expiredPending(
          tx,
          2 * this.config.ledger.pendingSweepIntervalSeconds,
        );
        const ok =
          !unbalancedAssets.length &&
          !balanceEntryMismatches.length &&
          !pendingMismatches.length &&
          !orphanTransfers.length &&
          !misfiledEntries.length &&
          !negativeAccounts.length &&
          !expiredPending.length;

        return {
          ok,
          checkedAt,
          accountsChecked,
          unbalancedAssets,
          balanceEntryMismatches,
          pendingMismatches,
          orphanTransfers,
          misfiledEntries,
          negativeAccounts,
          expiredPending,
        };
      },
      'REPEATABLE READ',
    );
  }
}
