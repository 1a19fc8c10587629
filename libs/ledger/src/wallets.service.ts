import { ForbiddenError, pageOf, type PageQueryDto, type Principal } from '@bourse/platform';
import { Injectable } from '@nestjs/common';
import { AccountsService } from './accounts.service';
import { toWalletDto, type WalletDto } from './dto/account.dto';
import type { AssetDto } from './dto/asset.dto';
import { toHoldPageDto, type HoldPageDto } from './dto/hold.dto';
import { toStatementPageDto, type StatementPageDto } from './dto/statement.dto';
import { AccountNotFoundError } from './ledger.errors';
import { StatementsService } from './statements.service';
import { TransfersService } from './transfers.service';

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
  constructor(
    private readonly accounts: AccountsService,
    private readonly transfers: TransfersService,
    private readonly statements: StatementsService,
  ) {}

  async list(principal: Principal | undefined): Promise<WalletDto[]> {
    const [accounts, assets] = await Promise.all([
      this.accounts.accountsOf(userIdOf(principal)),
      this.accounts.listAssets(),
    ]);
    const byCode = new Map(assets.map((asset) => [asset.code, asset]));

    return accounts
      .filter((account) => account.kind === 'user_wallet')
      .map((account) => toWalletDto(account, byCode.get(account.asset)!));
  }

  /** Every asset with its scale: how clients turn minor units into displayed amounts. */
  async assets(): Promise<AssetDto[]> {
    return (await this.accounts.listAssets()).map(({ code, scale, name }) => ({
      code,
      scale,
      name,
    }));
  }

  async statement(
    principal: Principal | undefined,
    accountId: string,
    query: PageQueryDto,
  ): Promise<StatementPageDto> {
    await this.ownWallet(principal, accountId);

    return toStatementPageDto(await this.statements.statement(accountId, pageOf(query)));
  }

  /** The pending transfers holding money on the wallet, in or out. */
  async holds(
    principal: Principal | undefined,
    accountId: string,
    query: PageQueryDto,
  ): Promise<HoldPageDto> {
    await this.ownWallet(principal, accountId);
    const page = await this.transfers.transferPage(accountId, { status: 'pending' }, pageOf(query));

    return toHoldPageDto(accountId, page);
  }

  private async ownWallet(principal: Principal | undefined, accountId: string): Promise<void> {
    const userId = userIdOf(principal);
    const account = await this.accounts.getAccount(accountId);
    if (account?.owner !== userId || account.kind !== 'user_wallet') {
      throw new AccountNotFoundError(accountId);
    }
  }
}
