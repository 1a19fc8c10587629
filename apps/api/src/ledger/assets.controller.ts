import { Public } from '@bourse/platform';
import { AssetDto, WalletsService } from '@bourse/ledger';
import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiTags, ApiTooManyRequestsResponse, ApiOperation } from '@nestjs/swagger';

// Reference data every client needs to show amounts: public, like the market symbols.
@ApiTags('wallets')
@Public()
@ApiTooManyRequestsResponse({ description: '`rate_limit.exceeded`, with Retry-After.' })
@Controller('v1/assets')
export class AssetsController {
  constructor(private readonly wallets: WalletsService) {}

  @Get()
  @ApiOperation({ summary: 'Assets and their scales.' })
  @ApiOkResponse({
    type: [AssetDto],
    description: 'Every asset the ledger holds, with the scale its minor units use.',
  })
  list(): Promise<AssetDto[]> {
    return this.wallets.assets();
  }
}
