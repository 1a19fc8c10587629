import { QueueListDto, QueueOverview } from '@bourse/platform';
import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { AdminOnly } from '../auth/admin-only.decorator';
import { ADMIN_QUEUES } from './queue-board';

@AdminOnly()
@Controller('v1/admin/queues')
export class AdminQueuesController {
  constructor(
    private readonly overview: QueueOverview,
    @Inject(ADMIN_QUEUES) private readonly names: string[],
  ) {}

  @Get()
  @ApiOperation({ summary: 'Bull queues: jobs per state and the oldest waiting job.' })
  @ApiOkResponse({
    type: QueueListDto,
    description:
      'Each Bull queue: jobs per state and how long the oldest waiting job has waited (a stuck or starved queue shows here first).',
  })
  list(): Promise<QueueListDto> {
    return this.overview.list(this.names);
  }
}
