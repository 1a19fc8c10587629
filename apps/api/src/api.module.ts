import { CandlesModule, MARKET_QUEUE, MarketFanoutModule } from '@bourse/market-data';
import {
  AuditModule,
  AuthModule,
  ConfigModule,
  DatabaseModule,
  IdempotencyModule,
  ObservabilityModule,
  PLATFORM_QUEUE,
  QueueModule,
  RateLimitModule,
  RedisModule,
  type AppConfig,
  type ModuleImport,
} from '@bourse/platform';
import { LEDGER_QUEUE, LedgerApiModule, LedgerModule } from '@bourse/ledger';
import { Module, type DynamicModule } from '@nestjs/common';
import { AdminQueuesModule } from './admin/admin-queues.module';
import { AdminAuditController } from './auth/admin-audit.controller';
import { AdminUsersController } from './auth/admin-users.controller';
import { ApiKeysController } from './auth/api-keys.controller';
import { AuthController } from './auth/auth.controller';
import { MeController } from './auth/me.controller';
import { AssetsController } from './ledger/assets.controller';
import { LedgerAccountsController } from './ledger/ledger-accounts.controller';
import { LedgerTransfersController } from './ledger/ledger-transfers.controller';
import { WalletsController } from './ledger/wallets.controller';
import { MarketController } from './market/market.controller';
import { PricesGateway } from './market/prices.gateway';

@Module({})
export class ApiModule {
  /** `extra` lets tests mount their own controllers on the production stack. */
  static forConfig(config: AppConfig, extra: ModuleImport[] = []): DynamicModule {
    return {
      module: ApiModule,
      controllers: [
        AuthController,
        MeController,
        ApiKeysController,
        AdminUsersController,
        AdminAuditController,
        MarketController,
        WalletsController,
        AssetsController,
        LedgerAccountsController,
        LedgerTransfersController,
      ],
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule,
        RedisModule,
        QueueModule,
        ObservabilityModule.forRoot((c) => c.http.apiMetricsPort),
        RateLimitModule,
        IdempotencyModule,
        LedgerModule,
        LedgerApiModule,
        // Global guards run in module order: throttling first, then credential lookups.
        AuthModule,
        AuditModule,
        CandlesModule,
        MarketFanoutModule,
        AdminQueuesModule.forQueues([PLATFORM_QUEUE, LEDGER_QUEUE, MARKET_QUEUE]),
        ...extra,
      ],
      providers: [PricesGateway],
    };
  }
}
