import { AccountsService, LedgerModule, TransfersService } from '@bourse/ledger';
import { CandleBackfill, CandleService, SYMBOLS } from '@bourse/market-data';
import {
  AuthModule,
  AuthService,
  ConfigModule,
  Database,
  DatabaseModule,
  QueueModule,
  RedisModule,
  type User,
} from '@bourse/platform';
import { Module, type DynamicModule } from '@nestjs/common';
import { v5 as uuidV5 } from 'uuid';
import { BackfillModule } from './backfill.command';
import { commandContext } from './context';
import type { CliConfig } from './cli.config';

/** What each demo login holds on first sign-in, in minor units: $1,000.00 and 50 g of gold. */
export const DEMO_BALANCES = [
  { asset: 'USD', amount: 100_000n },
  { asset: 'XAU', amount: 50_000n },
] as const;

/** Namespace of the starting-balance transfer ids: the same wallet always gets the same one. */
const SEED_TRANSFER_NAMESPACE = '0f6b8e52-3c1d-4e7a-b9f4-6a2d8c1e5b37';

@Module({})
class SeedModule {
  static forConfig(config: CliConfig): DynamicModule {
    return {
      module: SeedModule,
      // Redis: sign-in counts failed attempts there; the outbox: sign-up queues e-mail (AuthModule
      // needs both).
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule,
        RedisModule,
        QueueModule,
        AuthModule,
        LedgerModule,
      ],
    };
  }
}

/**
 * The user's demo wallets, each funded once from the house by a transfer whose id derives from
 * the wallet: run again, the transfer is found by its id and nothing moves twice.
 */
async function fundDemoWallets(
  db: Database,
  accounts: AccountsService,
  transfers: TransfersService,
  user: User,
): Promise<void> {
  await db.transaction(undefined, async (tx) => {
    for (const { asset, amount } of DEMO_BALANCES) {
      const wallet = await accounts.ensureWallet(user.id, asset, tx);
      const house = await accounts.ensureSystemAccount('house', asset, tx);
      await transfers.transfer(
        {
          id: uuidV5(`starting-balance:${wallet.id}`, SEED_TRANSFER_NAMESPACE),
          debitAccountId: house.id,
          creditAccountId: wallet.id,
          amount,
          asset,
          code: 'seed.starting_balance',
        },
        tx,
      );
    }
  });
}

/**
 * Creates the demo admin and user through the real AuthService, and gives each wallets with a
 * starting balance (DEMO_BALANCES); running it again changes nothing.
 */
export async function seed(config: CliConfig): Promise<string> {
  const app = await commandContext(SeedModule.forConfig(config));
  try {
    const auth = app.get(AuthService);
    const admin = await auth.ensureUser({
      email: config.seed.adminEmail,
      password: config.seed.adminPassword,
      role: 'admin',
      emailVerified: true,
    });
    const user = await auth.ensureUser({
      email: config.seed.userEmail,
      password: config.seed.userPassword,
      role: 'user',
      emailVerified: true,
    });
    for (const demo of [admin, user]) {
      await fundDemoWallets(
        app.get(Database),
        app.get(AccountsService),
        app.get(TransfersService),
        demo,
      );
    }

    return `seeded ${admin.email} (${admin.role}) and ${user.email} (${user.role}), each with ${DEMO_BALANCES.map((b) => b.asset).join(' and ')} wallets`;
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
export async function seedHistory(config: CliConfig, days = SEED_HISTORY_DAYS): Promise<string> {
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
