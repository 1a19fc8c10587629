import {
  AccountDto,
  AccountPageDto,
  AccountsQueryDto,
  AccountWithBalanceDto,
  CreateAccountDto,
  LedgerAdminService,
  StatementPageDto,
  TransferPageDto,
  TransfersQueryDto,
} from '@bourse/ledger';
import {
  AdminActionDto,
  CurrentPrincipal,
  Idempotent,
  IdempotentCall,
  IdempotentResponse,
  PageQueryDto,
  type IdempotentRequest,
  type Principal,
} from '@bourse/platform';
import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiUnprocessableEntityResponse,
  ApiOperation,
} from '@nestjs/swagger';
import { LedgerAdmin } from './ledger-admin.decorator';

@LedgerAdmin()
@Controller('v1/ledger/accounts')
export class LedgerAccountsController {
  constructor(private readonly ledger: LedgerAdminService) {}

  @Post()
  @ApiOperation({
    summary: 'Open a ledger account.',
    description:
      'Idempotent by `id` (the same id and fields answer the existing account) and by `Idempotency-Key`.',
  })
  @Idempotent()
  @ApiCreatedResponse({
    type: AccountDto,
    description: 'The account; the existing one when its id was sent again with the same fields.',
  })
  @ApiConflictResponse({
    description:
      '`ledger.account_conflict`: the id is taken, other fields; `ledger.wallet_exists`: the user has a wallet in this asset; `idempotency.request_in_progress`.',
  })
  @ApiUnprocessableEntityResponse({
    description:
      '`ledger.asset_not_found`, or `ledger.invalid_account` naming the `field`: a user wallet allowed negative, owned by a `system:` name or by no user of the platform; another kind owned by a user. `idempotency.key_mismatch`.',
  })
  create(
    @Body() body: CreateAccountDto,
    @IdempotentCall() call?: IdempotentRequest,
  ): Promise<AccountDto | IdempotentResponse<AccountDto>> {
    return this.ledger.createAccount(body, call);
  }

  @Get()
  @ApiOperation({ summary: 'Accounts of an owner.' })
  @ApiOkResponse({
    type: AccountPageDto,
    description: "An owner's accounts with their balances (a user's, or a system name's).",
  })
  list(@Query() query: AccountsQueryDto): Promise<AccountPageDto> {
    return this.ledger.accounts(query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One ledger account with its balance.' })
  @ApiOkResponse({ type: AccountWithBalanceDto, description: 'The account and its balance.' })
  @ApiNotFoundResponse({ description: '`ledger.account_not_found`.' })
  get(@Param('id', new ParseUUIDPipe()) id: string): Promise<AccountWithBalanceDto> {
    return this.ledger.getAccount(id);
  }

  @Post(':id/freeze')
  @ApiOperation({
    summary: 'Freeze an account.',
    description: 'Recorded in the audit log with its actor and reason.',
  })
  @HttpCode(200)
  @ApiOkResponse({
    type: AccountWithBalanceDto,
    description:
      'The account, frozen: every new transfer debiting or crediting it is refused with `ledger.account_frozen` (holds placed before can still be posted or voided). Answers once the transfers in flight on it have committed. Freezing a frozen account keeps its `frozenAt`.',
  })
  @ApiNotFoundResponse({ description: '`ledger.account_not_found`.' })
  freeze(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: AdminActionDto,
    @CurrentPrincipal() principal: Principal | undefined,
  ): Promise<AccountWithBalanceDto> {
    return this.ledger.setFrozen(id, true, { actor: principal, reason: body.reason });
  }

  @Post(':id/unfreeze')
  @ApiOperation({
    summary: 'Unfreeze an account.',
    description: 'Recorded in the audit log with its actor and reason.',
  })
  @HttpCode(200)
  @ApiOkResponse({
    type: AccountWithBalanceDto,
    description: 'The account, taking transfers again.',
  })
  @ApiNotFoundResponse({ description: '`ledger.account_not_found`.' })
  unfreeze(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: AdminActionDto,
    @CurrentPrincipal() principal: Principal | undefined,
  ): Promise<AccountWithBalanceDto> {
    return this.ledger.setFrozen(id, false, { actor: principal, reason: body.reason });
  }

  @Get(':id/entries')
  @ApiOperation({ summary: 'Statement of any ledger account.' })
  @ApiOkResponse({
    type: StatementPageDto,
    description:
      "Any account's posted entries (system accounts too, for reconciliation), newest first, each with the running balance after it.",
  })
  @ApiNotFoundResponse({ description: '`ledger.account_not_found`.' })
  entries(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Query() query: PageQueryDto,
  ): Promise<StatementPageDto> {
    return this.ledger.statement(id, query);
  }

  @Get(':id/transfers')
  @ApiOperation({ summary: 'Transfers touching an account.' })
  @ApiOkResponse({
    type: TransferPageDto,
    description:
      'Transfers with the account on either side, newest first; `status=pending` lists the holds on it.',
  })
  @ApiNotFoundResponse({ description: '`ledger.account_not_found`.' })
  transfers(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Query() query: TransfersQueryDto,
  ): Promise<TransferPageDto> {
    return this.ledger.transfersOf(id, query);
  }
}
