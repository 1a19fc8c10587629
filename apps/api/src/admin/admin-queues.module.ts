import { AuthModule } from '@bourse/platform';
import { Module, type DynamicModule } from '@nestjs/common';
import { AdminQueuesController } from './admin-queues.controller';
import { ADMIN_QUEUES, QueueBoard } from './queue-board';

/** GET /v1/admin/queues and the read-only Bull Board over `names`. */
@Module({})
export class AdminQueuesModule {
  static forQueues(names: string[]): DynamicModule {
    return {
      module: AdminQueuesModule,
      // The board's own routes authenticate with AuthService (Nest's guards do not see them).
      imports: [AuthModule],
      controllers: [AdminQueuesController],
      providers: [{ provide: ADMIN_QUEUES, useValue: names }, QueueBoard],
    };
  }
}
