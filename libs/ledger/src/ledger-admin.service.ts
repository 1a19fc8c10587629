import {
  AuditLog,
  Database,
  IdempotencyService,
  IdempotentResponse,
  pageOf,
  type AuditContext,
  type IdempotentRequest,
  type PageQueryDto,
  type Tx,
} from '@bourse/platform';
import { Injectable } from '@nestjs/common';
import { AccountsService } from './accounts.service';
import {
  toAccountDto,
  toAccountPageDto,
  toAccountWithBalanceDto,
  type AccountDto,
  type AccountPageDto,
  type AccountsQueryDto,
  type AccountWithBalanceDto,
  type CreateAccountDto,
} from './dto/account.dto';
import { toStatementPageDto, type StatementPageDto } from './dto/statement.dto';
import {
  toBatchResultDto,
  toTransferDto,
  toTransferPageDto,
  type CreateTransferDto,
  type CreateTransfersBatchDto,
  type PostTransferDto,
  type TransferDto,
  type TransferPageDto,
  type TransfersQueryDto,
  type TransfersBatchResultDto,
} from './dto/transfer.dto';
import { AccountNotFoundError, TransferNotFoundError } from './ledger.errors';
import { LEDGER_AUDIT } from './ledger.audit';
import { KeyedTransfersService } from './keyed-transfers.service';
import { StatementsService } from './statements.service';
import { TransfersService } from './transfers.service';

/**
 * The admin and server-to-server api over the ledger's services: request DTOs in, response DTOs out
 * (bigint to decimal strings), a missing resource as its 404 error. No rules of its own.
 */
@Injectable()
export class LedgerAdminService {
  constructor(
    private readonly ledgerAccounts: AccountsService,
    private readonly transfers: TransfersService,
    private readonly keyed: KeyedTransfersService,
    private readonly statements: StatementsService,
    private readonly db: Database,
    private readonly audit: AuditLog,
    private readonly idempotency: IdempotencyService,
  ) {}

  /**
   * A wallet's owner must be a user of the platform (the id comes from outside); with `call` (an
   * Idempotency-Key), the key is stored with the account it creates.
   */
  createAccount(
    body: CreateAccountDto,
    call?: IdempotentRequest,
  ): Promise<AccountDto | IdempotentResponse<AccountDto>> {
    return this.idempotency.transaction(call, async (tx) => {
      if (body.kind === 'user_wallet' && !body.owner.startsWith('system:')) {
        await this.ledgerAccounts.requireUser(tx, body.owner);
      }

      return toAccountDto(await this.ledgerAccounts.createAccount(body, tx));
    });
  }

  async getAccount(id: string): Promise<AccountWithBalanceDto> {
    const account = await this.ledgerAccounts.getAccount(id);
    if (!account) {
      throw new AccountNotFoundError(id);
    }

    return toAccountWithBalanceDto(account);
  }

  /** Freezes or unfreezes, with its audit event in the same transaction. */
  async setFrozen(
    id: string,
    frozen: boolean,
    context: AuditContext,
  ): Promise<AccountWithBalanceDto> {
    const account = await this.db.transaction(undefined, async (tx) => {
      const changed = await this.ledgerAccounts.setFrozen(id, frozen, tx);
      await this.audit.record(
        tx,
        context,
        LEDGER_AUDIT.event(frozen ? 'ledger_account.freeze' : 'ledger_account.unfreeze', id),
      );

      return changed;
    });

    return toAccountWithBalanceDto(account);
  }

  async accounts(query: AccountsQueryDto): Promise<AccountPageDto> {
    return toAccountPageDto(
      await this.ledgerAccounts.accountPage(
        { owner: query.owner, asset: query.asset },
        pageOf(query),
      ),
    );
  }

  /** Any account's statement (house, clearing, a user's wallet): reconciliation and support. */
  async statement(accountId: string, query: PageQueryDto): Promise<StatementPageDto> {
    return toStatementPageDto(await this.statements.statement(accountId, pageOf(query)));
  }

  /** The transfers on an account, either side, of one status when asked (`pending`: its holds). */
  async transfersOf(accountId: string, query: TransfersQueryDto): Promise<TransferPageDto> {
    return toTransferPageDto(
      await this.transfers.transferPage(accountId, { status: query.status }, pageOf(query)),
    );
  }

  /** With `call` (an Idempotency-Key), the key is stored with the transfer it creates. */
  async transfer(
    body: CreateTransferDto,
    call?: IdempotentRequest,
  ): Promise<TransferDto | IdempotentResponse<TransferDto>> {
    const input = { ...body, amount: BigInt(body.amount) };
    const answer = call
      ? await this.keyed.transferKeyed(input, call)
      : await this.transfers.transfer(input);

    return answer instanceof IdempotentResponse ? answer.map(toTransferDto) : toTransferDto(answer);
  }

  /** With `call`, the key is stored with the batch's results, in the batch's transaction. */
  async transferMany(
    body: CreateTransfersBatchDto,
    call?: IdempotentRequest,
  ): Promise<TransfersBatchResultDto | IdempotentResponse<TransfersBatchResultDto>> {
    const inputs = body.transfers.map((item) => ({ ...item, amount: BigInt(item.amount) }));
    const run = async (tx?: Tx) => toBatchResultDto(await this.transfers.transferMany(inputs, tx));

    // Without a key, the batch's own transaction: the same statements, no BEGIN of ours around.
    return call ? this.idempotency.transaction(call, run) : run();
  }

  /** Posts a hold, fully or in part. */
  postPending(
    id: string,
    body: PostTransferDto,
    call?: IdempotentRequest,
  ): Promise<TransferDto | IdempotentResponse<TransferDto>> {
    const amount = body.amount === undefined ? undefined : BigInt(body.amount);

    return this.idempotency.transaction(call, async (tx) =>
      toTransferDto(await this.transfers.postPending(id, { amount }, tx)),
    );
  }

  /** Voids a hold. */
  voidPending(
    id: string,
    call?: IdempotentRequest,
  ): Promise<TransferDto | IdempotentResponse<TransferDto>> {
    return this.idempotency.transaction(call, async (tx) =>
      toTransferDto(await this.transfers.voidPending(id, tx)),
    );
  }

  async getTransfer(id: string): Promise<TransferDto> {
    const transfer = await this.transfers.getTransfer(id);
    if (!transfer) {
      throw new TransferNotFoundError(id);
    }

    return toTransferDto(transfer);
  }
}
