import {
  ReconciliationService,
  ReconRunDto,
  ReconRunPageDto,
  ReconRunsQueryDto,
} from '@bourse/payments';
import { pageOf, Roles } from '@bourse/platform';
import { Controller, Get, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';

@ApiTags('payments')
@ApiBearerAuth('bearer')
@Roles('admin')
@ApiUnauthorizedResponse({ description: 'Missing, invalid or expired access token.' })
@ApiForbiddenResponse({ description: '`auth.forbidden`: admins only.' })
@Controller('v1/admin/payments/reconciliations')
export class ReconciliationsController {
  constructor(private readonly reconciliation: ReconciliationService) {}

  @Get()
  @ApiOperation({
    summary: 'Reconciliation runs, newest first.',
    description:
      "Each run matched one provider's settlement report for a window against our payments, payouts and their ledger transfers (the worker's scheduled job, or `npm run payments:reconcile`). Nothing is ever corrected automatically.",
  })
  @ApiOkResponse({ type: ReconRunPageDto })
  list(@Query() query: ReconRunsQueryDto): Promise<ReconRunPageDto> {
    return this.reconciliation.page(pageOf(query));
  }

  @Get(':id')
  @ApiOperation({ summary: 'One reconciliation run with its lines, exceptions first.' })
  @ApiOkResponse({ type: ReconRunDto })
  @ApiNotFoundResponse({ description: '`payments.reconciliation_not_found`.' })
  get(@Param('id', new ParseUUIDPipe()) id: string): Promise<ReconRunDto> {
    return this.reconciliation.get(id);
  }
}
