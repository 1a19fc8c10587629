import { CandleBackfill, CandlesModule } from '@bourse/market-data';
import { ConfigModule, DatabaseModule, RedisModule } from '@bourse/platform';
import { Module, type DynamicModule } from '@nestjs/common';
import { commandContext } from './context';
import type { CliConfig } from './cli.config';

@Module({})
export class BackfillModule {
  static forConfig(config: CliConfig): DynamicModule {
    return {
      module: BackfillModule,
      // CandlesModule's services also publish and read prices, hence Redis.
      imports: [ConfigModule.forRoot(config), DatabaseModule, RedisModule, CandlesModule],
    };
  }
}

/** `--days N` (1..3650, default 30). */
export function parseDays(flags: string[]): number {
  const at = flags.indexOf('--days');
  const days = at < 0 ? 30 : Number(flags[at + 1]);
  if (!Number.isInteger(days) || days < 1 || days > 3650) {
    throw new Error('usage: cli market:backfill [--days N]  (N: whole days, 1..3650)');
  }

  return days;
}

/**
 * Fills candle history from the simulated provider through the real CandleBackfill; running it
 * again the same day rewrites the same bars. Progress goes to stdout a day at a time.
 */
export async function backfill(config: CliConfig, flags: string[]): Promise<string> {
  const days = parseDays(flags);
  const app = await commandContext(BackfillModule.forConfig(config));
  try {
    const result = await app.get(CandleBackfill).run({
      days,
      onProgress: (p) =>
        process.stdout.write(
          `day ${p.day}/${p.days}: ${p.ticks} ticks, ${p.bars} bars, ${Math.round(p.ticksPerSecond)} ticks/s\n`,
        ),
    });

    return (
      `backfilled ${result.from.toISOString()} .. ${result.to.toISOString()}: ${result.ticks} ticks ` +
      `(${result.rawTicks} kept raw), ${result.bars} bars in ${(result.elapsedMs / 1000).toFixed(1)} s ` +
      `(${Math.round(result.ticksPerSecond)} ticks/s)`
    );
  } finally {
    await app.close();
  }
}
