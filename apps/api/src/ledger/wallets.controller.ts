import { HoldPageDto, StatementPageDto, WalletDto, WalletsService } from '@bourse/ledger';
import { CurrentPrincipal, PageQueryDto, type Principal } from '@bourse/platform';
import { Controller, Get, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import {
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
  ApiOperation,
} from '@nestjs/swagger';

@ApiTags('wallets')
@ApiForbiddenResponse({ description: '`auth.forbidden`: API keys have no wallets.' })
@Controller('v1/wallets')
export class WalletsController {
  constructor(private readonly wallets: WalletsService) {}

  @Get()
  @ApiOperation({ summary: 'Your wallets and balances.' })
  @ApiOkResponse({
    type: [WalletDto],
    description: "The signed-in user's wallets with posted, pending and available balances.",
  })
  list(@CurrentPrincipal() principal: Principal | undefined): Promise<WalletDto[]> {
    return this.wallets.list(principal);
  }

  @Get(':accountId/entries')
  @ApiOperation({ summary: 'Statement of one of your wallets.' })
  @ApiOkResponse({
    type: StatementPageDto,
    description: 'Posted entries, newest first, each with the running balance after it.',
  })
  @ApiNotFoundResponse({
    description:
      '`ledger.account_not_found`: no such wallet, or it is not yours (the same answer for both).',
  })
  entries(
    @CurrentPrincipal() principal: Principal | undefined,
    @Param('accountId', new ParseUUIDPipe()) accountId: string,
    @Query() query: PageQueryDto,
  ): Promise<StatementPageDto> {
    return this.wallets.statement(principal, accountId, query);
  }

  @Get(':accountId/holds')
  @ApiOperation({ summary: 'Money held on one of your wallets.' })
  @ApiOkResponse({
    type: HoldPageDto,
    description:
      'The pending transfers holding money on the wallet (what makes `available` differ from `posted`), newest first.',
  })
  @ApiNotFoundResponse({
    description:
      '`ledger.account_not_found`: no such wallet, or it is not yours (the same answer for both).',
  })
  holds(
    @CurrentPrincipal() principal: Principal | undefined,
    @Param('accountId', new ParseUUIDPipe()) accountId: string,
    @Query() query: PageQueryDto,
  ): Promise<HoldPageDto> {
    return this.wallets.holds(principal, accountId, query);
  }
}
