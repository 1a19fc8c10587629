import { CandleBackfill, CandleService, SYMBOLS } from '@bourse/market-data';
import {
  AuthModule,
  AuthService,
  ConfigModule,
  DatabaseModule,
  RedisModule,
  type AppConfig,
} from '@bourse/platform';
import { Module, type DynamicModule } from '@nestjs/common';
import { BackfillModule } from './backfill.command';
import { commandContext } from './context';

@Module({})
class SeedModule {
  static forConfig(config: AppConfig): DynamicModule {
    return {
      module: SeedModule,
      // Redis: sign-in counts failed attempts there (AuthModule needs it).
      imports: [ConfigModule.forRoot(config), DatabaseModule, RedisModule, AuthModule],
    };
  }
}

/** Creates the demo admin and user through the real AuthService; running it again changes nothing. */
export async function seed(config: AppConfig): Promise<string> {
  const app = await commandContext(SeedModule.forConfig(config));
  try {
    const auth = app.get(AuthService);
    const admin = await auth.ensureUser({
      email: config.seed.adminEmail,
      password: config.seed.adminPassword,
      role: 'admin',
    });
    const user = await auth.ensureUser({
      email: config.seed.userEmail,
      password: config.seed.userPassword,
      role: 'user',
    });

    return `seeded ${admin.email} (${admin.role}) and ${user.email} (${user.role})`;
  } finally {
    await app.close();
  }
}

/** Days of candle history the demo starts with: every timeframe has bars to chart. */
export const SEED_HISTORY_DAYS = 7;
const DAY_S = 86_400;

/**
 * Gives the charts history: `days` of simulated candles (the same walk `market:backfill` writes),
 * unless bars older than a day already exist in that window (a previous seed or backfill). The
 * live simulated feed then walks on from the last bar's close (resumePrices), so the chart has
 * no jump where history ends.
 */
export async function seedHistory(config: AppConfig, days = SEED_HISTORY_DAYS): Promise<string> {
  const app = await commandContext(BackfillModule.forConfig(config));
  try {
    const now = Math.floor(Date.now() / 1000);
    const existing = await app.get(CandleService).candles({
      symbol: SYMBOLS[0]!.symbol,
      timeframe: '1h',
      from: now - days * DAY_S,
      to: now - DAY_S,
      limit: 1,
    });
    if (existing.length > 0) {
      return 'candle history present; not backfilled';
    }
    const result = await app.get(CandleBackfill).run({ days });

    return `backfilled ${days} days of candle history (${result.bars} bars)`;
  } finally {
    await app.close();
  }
}
