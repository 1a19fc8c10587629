import { ApiKeyScopes, Roles } from '@bourse/platform';
import {
  AccountDto,
  AccountWithBalanceDto,
  CreateAccountDto,
  LedgerAdminService,
} from '@bourse/ledger';
import { Body, Controller, Get, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiSecurity,
  ApiTags,
  ApiUnauthorizedResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';

@ApiTags('ledger')
@ApiBearerAuth('bearer')
@ApiSecurity('apiKey')
@Roles('admin')
@ApiKeyScopes('ledger')
@ApiUnauthorizedResponse({ description: 'Missing, invalid or expired credentials.' })
@ApiForbiddenResponse({
  description: '`auth.forbidden`: admins, or API keys with the `ledger` scope, only.',
})
@Controller('v1/ledger/accounts')
export class LedgerAccountsController {
  constructor(private readonly ledger: LedgerAdminService) {}

  @Post()
  @ApiCreatedResponse({
    type: AccountDto,
    description: 'The account; the existing one when its id was sent again with the same fields.',
  })
  @ApiConflictResponse({ description: '`ledger.account_conflict`: the id is taken, other fields.' })
  @ApiUnprocessableEntityResponse({
    description:
      '`ledger.asset_not_found`, or `ledger.invalid_account` (e.g. a user wallet allowed negative).',
  })
  create(@Body() body: CreateAccountDto): Promise<AccountDto> {
    return this.ledger.createAccount(body);
  }

  @Get(':id')
  @ApiOkResponse({ type: AccountWithBalanceDto, description: 'The account and its balance.' })
  @ApiNotFoundResponse({ description: '`ledger.account_not_found`.' })
  get(@Param('id', new ParseUUIDPipe()) id: string): Promise<AccountWithBalanceDto> {
    return this.ledger.getAccount(id);
  }
}
