import { AuctionsModule, AuctionsService } from '@bourse/auctions';
import {
  ConfigModule,
  Database,
  DatabaseModule,
  IdempotencyModule,
  MetricsService,
  QueueModule,
  RedisModule,
  rows,
  SocketsModule,
} from '@bourse/platform';
import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { CliConfig } from './cli.config';
import { commandContext } from './context';

/** The demo lot's title: a seed finds the live one by it. */
export const DEMO_LOT_TITLE = 'Demo lot: 1967 Jaguar E-Type Series 1';

/** Open for 15 minutes, then the 30-second timer: long enough to find it after `npm start`. */
const DEMO_LOT = {
  title: DEMO_LOT_TITLE,
  description:
    'Roadster, 4.2 litre, matching numbers. A demo lot: bid from the demo accounts, watch the countdown move with each late bid.',
  startingPrice: '5000',
  reservePrice: '20000',
  durationSeconds: 900,
  extendSeconds: 30,
};

/** The metrics the lib's services register, without serving /metrics from a one-shot command. */
@Global()
@Module({ providers: [MetricsService], exports: [MetricsService] })
class CommandMetricsModule {}

@Module({})
class SeedAuctionModule {
  static forConfig(config: CliConfig): DynamicModule {
    return {
      module: SeedAuctionModule,
      imports: [
        ConfigModule.forRoot(config),
        CommandMetricsModule,
        DatabaseModule,
        RedisModule,
        QueueModule,
        IdempotencyModule,
        SocketsModule,
        AuctionsModule,
      ],
    };
  }
}

/**
 * Opens the demo lot unless one is still biddable, through the real service (its open and close
 * jobs go through the outbox), so every `npm start` has a live auction to show.
 */
export async function seedAuction(config: CliConfig): Promise<string> {
  const app = await commandContext(SeedAuctionModule.forConfig(config));
  try {
    const [live] = await rows<{ id: string }>(
      app.get(Database).manager,
      `SELECT id FROM auctions WHERE title = $1 AND state IN ('scheduled', 'open') AND ends_at > now()`,
      [DEMO_LOT_TITLE],
    );
    if (live) {
      return `demo lot ${live.id} still open; not seeded`;
    }
    const lot = (await app.get(AuctionsService).create(DEMO_LOT)) as { id: string };

    return `opened demo lot ${lot.id}`;
  } finally {
    await app.close();
  }
}
