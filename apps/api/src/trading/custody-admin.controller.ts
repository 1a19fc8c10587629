import { CustodyService, ReconciliationListDto } from '@bourse/trading';
import { pageOf, PageQueryDto, Roles } from '@bourse/platform';
import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';

@ApiTags('trading')
@Roles('admin')
@Controller('v1/admin/trading/custody')
export class CustodyAdminController {
  constructor(private readonly custody: CustodyService) {}

  @Get('reconciliations')
  @ApiOperation({
    summary: 'Recent custody reconciliations.',
    description:
      'Per metal and run: what the ledger owes users, what the custodian’s statement holds, and the difference (never corrected automatically).',
  })
  @ApiOkResponse({ type: ReconciliationListDto, description: 'Newest first, `limit` of them.' })
  reconciliations(@Query() query: PageQueryDto): Promise<ReconciliationListDto> {
    return this.custody.recent(pageOf(query).limit);
  }
}
