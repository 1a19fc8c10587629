import { APP_CONFIG, Database, newId, type Tx } from '@bourse/platform';
import { Inject, Injectable } from '@nestjs/common';
import { validate as isUuid, v5 as uuidV5 } from 'uuid';
import { AccountRepository } from './account.repository';
import type { LedgerAppConfig } from './ledger.config';
import {
  AccountConflictError,
  AccountNotFoundError,
  AssetNotFoundError,
  InvalidAccountError,
  InvalidCursorError,
  WalletExistsError,
} from './ledger.errors';
import {
  ACCOUNT_KINDS,
  type Account,
  type AccountKind,
  type AccountPage,
  type AccountWithBalance,
  type Asset,
  type CreateAccountInput,
} from './ledger.types';
import { pageSize } from './paging';
import { canonicalJson } from './transfer-rules';

/** Fixed namespace of system account ids: `ensureSystemAccount` derives the same id everywhere. */
const SYSTEM_ACCOUNT_NAMESPACE = '5a0c4f4e-52b4-4a43-9d0b-6c2f6c8e7a10';
/** Fixed namespace of wallet ids: `ensureWallet` derives a user's wallet id from user and asset. */
const WALLET_NAMESPACE = 'c3b1f6d2-8e4a-4f0b-9a57-2d6e1b7c4a93';
const isSystemOwner = (owner: string): boolean => owner.startsWith('system:');

/**
 * Assets, accounts and their balances: opening accounts (wallets and system accounts), freezing
 * them, reading them. Every method joins the caller's transaction when given one (`outer`).
 */
@Injectable()
export class AccountsService {
  constructor(
    private readonly db: Database,
    @Inject(APP_CONFIG) private readonly config: LedgerAppConfig,
    private readonly accounts: AccountRepository,
  ) {}

  listAssets(outer?: Tx): Promise<Asset[]> {
    return this.accounts.listAssets(outer ?? this.db.manager);
  }

  getAsset(code: string, outer?: Tx): Promise<Asset | undefined> {
    return this.accounts.findAsset(outer ?? this.db.manager, code);
  }

  /**
   * Idempotent by id: the same id with the same fields returns the existing account. A user wallet
   * belongs to a user (not a `system:` name) and never goes negative; every other kind belongs to
   * a `system:` name. One wallet per user and asset: a second under another id is refused.
   */
  async createAccount(input: CreateAccountInput, outer?: Tx): Promise<Account> {
    const allowNegative = input.allowNegative ?? false;
    if (!ACCOUNT_KINDS.includes(input.kind)) {
      throw new InvalidAccountError(`Unknown account kind ${String(input.kind)}`, 'kind');
    }
    if (input.kind === 'user_wallet' && allowNegative) {
      throw new InvalidAccountError(
        'A user wallet can never be allowed to go negative',
        'allowNegative',
      );
    }
    if (!input.owner) {
      throw new InvalidAccountError('An account needs an owner', 'owner');
    }
    if (input.kind === 'user_wallet' && isSystemOwner(input.owner)) {
      throw new InvalidAccountError(
        `A user wallet belongs to a user id, not to ${input.owner}`,
        'owner',
      );
    }
    if (input.kind !== 'user_wallet' && !isSystemOwner(input.owner)) {
      throw new InvalidAccountError(
        `A ${input.kind} account belongs to a system name (system:<name>), not to a user`,
        'owner',
      );
    }
    const account = {
      id: input.id ?? newId(),
      asset: input.asset,
      owner: input.owner,
      kind: input.kind,
      allowNegative,
      // Allow-negative system accounts are the hot ones: their balance is split into shards.
      shards: allowNegative ? this.config.ledger.hotAccountShards : 1,
      metadata: input.metadata ?? {},
    };

    return this.db.transaction(outer, async (tx) => {
      if (!(await this.accounts.findAsset(tx, input.asset))) {
        throw new AssetNotFoundError(input.asset);
      }
      const created = await this.accounts.insert(tx, account);
      const [stored] = await this.accounts.findMany(tx, [account.id]);
      if (!stored) {
        // Not inserted, and not under this id: the owner's wallet in this asset has another.
        throw new WalletExistsError(account.owner, account.asset);
      }
      const same =
        stored.asset === account.asset &&
        stored.owner === account.owner &&
        stored.kind === account.kind &&
        stored.allowNegative === account.allowNegative &&
        canonicalJson(stored.metadata) === canonicalJson(account.metadata);
      if (!created && !same) {
        throw new AccountConflictError(account.id);
      }

      return stored;
    });
  }

  /**
   * The user's wallet in `asset`, created on first use under an id derived from both, so
   * concurrent calls (two deposits landing at once) end with one wallet. Refuses a user the
   * platform does not know. A wallet an admin opened earlier under another id is the one returned.
   */
  ensureWallet(userId: string, asset: string, outer?: Tx): Promise<Account> {
    return this.db.transaction(outer, async (tx) => {
      await this.requireUser(tx, userId);
      const existing = await this.accounts.findWallet(tx, userId, asset);

      return (
        existing ??
        this.createAccount(
          {
            id: uuidV5(`${userId}:${asset}`, WALLET_NAMESPACE),
            asset,
            owner: userId,
            kind: 'user_wallet',
          },
          tx,
        )
      );
    });
  }

  /** Refuses an owner that is not a user of the platform (a wallet for nobody). */
  async requireUser(tx: Tx, userId: string): Promise<void> {
    if (!isUuid(userId) || !(await this.accounts.userExists(tx, userId))) {
      throw new InvalidAccountError(`There is no user ${userId}`, 'owner');
    }
  }

  /**
   * The allow-negative system account of a kind and asset (house, fees, psp_clearing, …), created
   * on first use. Its id is derived from kind and asset, so every process finds the same one.
   */
  ensureSystemAccount(
    kind: Exclude<AccountKind, 'user_wallet'>,
    asset: string,
    outer?: Tx,
  ): Promise<Account> {
    return this.createAccount(
      {
        id: uuidV5(`${kind}:${asset}`, SYSTEM_ACCOUNT_NAMESPACE),
        asset,
        owner: `system:${kind}`,
        kind,
        allowNegative: true,
      },
      outer,
    );
  }

  /**
   * Freezes an account (fraud, a court order, a closed customer) or unfreezes it: while frozen,
   * every new transfer that would debit or credit it is refused with `ledger.account_frozen`, in
   * batches as one at a time. The freeze waits for the transfers in flight on the account, so none
   * that commits after it moves its money; holds placed before it can still be posted or voided.
   */
  setFrozen(id: string, frozen: boolean, outer?: Tx): Promise<AccountWithBalance> {
    return this.db.transaction(outer, async (tx) => {
      if (!(await this.accounts.setFrozen(tx, id, frozen))) {
        throw new AccountNotFoundError(id);
      }

      return (await this.accounts.findWithBalance(tx, id))!;
    });
  }

  /** The account with its balances (posted, pending, available): one indexed read. */
  getAccount(id: string, outer?: Tx): Promise<AccountWithBalance | undefined> {
    return this.accounts.findWithBalance(outer ?? this.db.manager, id);
  }

  accountsOf(owner: string, outer?: Tx): Promise<AccountWithBalance[]> {
    return this.accounts.findByOwner(outer ?? this.db.manager, owner);
  }

  /** An owner's accounts with balances, a page at a time (id order, keyset on the id). */
  async accountPage(
    filter: { owner: string; asset?: string },
    page: { cursor?: string; limit: number },
    outer?: Tx,
  ): Promise<AccountPage> {
    // Account ids are UUIDs (anything else would fail in Postgres as a 500).
    if (page.cursor !== undefined && !isUuid(page.cursor)) {
      throw new InvalidCursorError();
    }
    const limit = pageSize(page.limit);
    const found = await this.accounts.findPageByOwner(
      outer ?? this.db.manager,
      filter,
      page.cursor,
      limit + 1,
    );
    const accounts = found.slice(0, limit);

    return found.length > limit ? { accounts, nextCursor: accounts.at(-1)!.id } : { accounts };
  }
}
