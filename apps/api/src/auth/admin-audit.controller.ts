import { AuditLog, AuditPageDto, AuditQueryDto, pageOf, Roles } from '@bourse/platform';
import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { AdminOnly } from './admin-only.decorator';

@AdminOnly()
@Controller('v1/admin/audit-events')
export class AdminAuditController {
  constructor(private readonly audit: AuditLog) {}

  @Get()
  @Roles('admin', 'compliance')
  @ApiOperation({ summary: 'Audit log of admin and API-key actions.' })
  @ApiOkResponse({
    type: AuditPageDto,
    description:
      'What admins and API keys did to users, API keys and what the libs declare (ledger accounts: freeze, unfreeze), newest first; of one target or action when given (e.g. `action=ledger_account.freeze`).',
  })
  list(@Query() query: AuditQueryDto): Promise<AuditPageDto> {
    return this.audit.page({ target: query.target, action: query.action }, pageOf(query));
  }
}
