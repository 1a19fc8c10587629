import { CandlesModule, MarketFanoutModule } from '@bourse/market-data';
import {
  AuditModule,
  AuthModule,
  ConfigModule,
  DatabaseModule,
  IdempotencyModule,
  InboxModule,
  ObservabilityModule,
  QueueModule,
  RateLimitModule,
  RedisModule,
  type ModuleImport,
} from '@bourse/platform';
import { LedgerApiModule, LedgerModule } from '@bourse/ledger';
import { PaymentsModule } from '@bourse/payments';
import { StorageModule } from '@bourse/storage';
import { Module, type DynamicModule } from '@nestjs/common';
import type { ApiConfig } from './api.config';
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
import { PaymentsController } from './payments/payments.controller';
import { PayPalWebhookController } from './payments/paypal-webhook.controller';
import { StripeWebhookController } from './payments/stripe-webhook.controller';
import { UploadsController } from './storage/uploads.controller';

@Module({})
export class ApiModule {
  /** `extra` lets tests mount their own controllers on the production stack. */
  static forConfig(config: ApiConfig, extra: ModuleImport[] = []): DynamicModule {
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
        UploadsController,
        PaymentsController,
        StripeWebhookController,
        PayPalWebhookController,
      ],
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule,
        RedisModule,
        QueueModule,
        ObservabilityModule.forRoot(),
        RateLimitModule,
        IdempotencyModule,
        InboxModule,
        LedgerModule,
        LedgerApiModule,
        // Global guards run in module order: throttling first, then credential lookups.
        AuthModule,
        AuditModule,
        CandlesModule,
        MarketFanoutModule,
        StorageModule,
        PaymentsModule,
        ...extra,
      ],
      providers: [PricesGateway],
    };
  }
}
