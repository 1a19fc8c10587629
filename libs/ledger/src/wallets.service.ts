import { ForbiddenError, pageOf, type PageQueryDto, type Principal } from '@bourse/platform';
import { Injectable } from '@nestjs/common';
import { toWalletDto, type WalletDto } from './dto/account.dto';
import type { AssetDto } from './dto/asset.dto';
import { toHoldPageDto, type HoldPageDto } from './dto/hold.dto';
import { toStatementPageDto, type StatementPageDto } from './dto/statement.dto';
import { AccountNotFoundError } from './ledger.errors';
import { LedgerService } from './ledger.service';

/** The owner of a user's wallets is the bare user id (system accounts are `system:<name>`). */
function userIdOf(principal: Principal | undefined): string {
  if (principal?.kind !== 'user') {
    throw new ForbiddenError('Only users have wallets');
  }

  return principal.userId;
}

/**
 * A user's view of the ledger: their own wallets only. Someone else's account is answered
 * exactly like a missing one, so account ids cannot be probed.
 */
@Injectable()
export class WalletsService {
  constructor(private readonly ledger: LedgerService) {}

  async list(principal: Principal | undefined): Promise<WalletDto[]> {
    const [accounts, assets] = await Promise.all([
      this.ledger.accountsOf(userIdOf(principal)),
      this.ledger.listAssets(),
    ]);
    const byCode = new Map(assets.map((asset) => [asset.code, asset]));

    return accounts
      .filter((account) => account.kind === 'user_wallet')
      .map((account) => toWalletDto(account, byCode.get(account.asset)!));
  }

  /** Every asset with its scale: how clients turn minor units into displayed amounts. */
  async assets(): Promise<AssetDto[]> {
    return (await this.ledger.listAssets()).map(({ code, scale, name }) => ({ code, scale, name }));
  }

  async statement(
    principal: Principal | undefined,
    accountId: string,
    query: PageQueryDto,
  ): Promise<StatementPageDto> {
    await this.ownWallet(principal, accountId);

    return toStatementPageDto(await this.ledger.statement(accountId, pageOf(query)));
  }

  /** The pending transfers holding money on the wallet, in or out. */
  async holds(
    principal: Principal | undefined,
    accountId: string,
    query: PageQueryDto,
  ): Promise<HoldPageDto> {
    await this.ownWallet(principal, accountId);
    const page = await this.ledger.transferPage(accountId, { status: 'pending' }, pageOf(query));

    return toHoldPageDto(accountId, page);
  }

  private async ownWallet(principal: Principal | undefined, accountId: string): Promise<void> {
    const userId = userIdOf(principal);
    const account = await this.ledger.getAccount(accountId);
    if (account?.owner !== userId || account.kind !== 'user_wallet') {
      throw new AccountNotFoundError(accountId);
    }
  }
}
