import { AlertsApiModule, ALERTS_QUEUE } from '@bourse/alerts';
import { CandlesModule, MARKET_QUEUE, MarketFanoutModule } from '@bourse/market-data';
import {
  AuditModule,
  AuthModule,
  ConfigModule,
  DatabaseModule,
  IdempotencyModule,
  INBOX_QUEUE,
  InboxModule,
  ObservabilityModule,
  PLATFORM_QUEUE,
  QueueModule,
  RateLimitModule,
  RedisModule,
  SocketGatewaysModule,
  SocketsModule,
  type ModuleImport,
} from '@bourse/platform';
import { KycModule } from '@bourse/kyc';
import { LEDGER_QUEUE, LedgerApiModule, LedgerModule } from '@bourse/ledger';
import { NOTIFICATIONS_QUEUE, NotificationsModule, WEBHOOKS_QUEUE } from '@bourse/notifications';
import { OrdersApiModule, TOPUP_QUEUE } from '@bourse/orders';
import { PAYMENTS_QUEUE, PaymentsModule } from '@bourse/payments';
import { STORAGE_QUEUE, StorageModule } from '@bourse/storage';
import { CustodyModule, TradingModule } from '@bourse/trading';
import { AUCTIONS_QUEUE, AuctionsModule } from '@bourse/auctions';
import { Module, type DynamicModule } from '@nestjs/common';
import { AdminQueuesModule } from './admin/admin-queues.module';
import type { ApiConfig } from './api.config';
import { AdminAuditController } from './auth/admin-audit.controller';
import { AdminUsersController } from './auth/admin-users.controller';
import { ApiKeysController } from './auth/api-keys.controller';
import { AuthController } from './auth/auth.controller';
import { MeController } from './auth/me.controller';
import { KycReviewController } from './kyc/kyc-review.controller';
import { KycController } from './kyc/kyc.controller';
import { SumsubWebhookController } from './kyc/sumsub-webhook.controller';
import { AssetsController } from './ledger/assets.controller';
import { LedgerAccountsController } from './ledger/ledger-accounts.controller';
import { LedgerTransfersController } from './ledger/ledger-transfers.controller';
import { WalletsController } from './ledger/wallets.controller';
import { AsyncApiController } from './asyncapi/asyncapi.controller';
import { MarketController } from './market/market.controller';
import { AlertsController } from './alerts/alerts.controller';
import { AlertsGateway } from './alerts/alerts.gateway';
import { PricesGateway } from './market/prices.gateway';
import { NotificationsController } from './notifications/notifications.controller';
import { NotificationsGateway } from './notifications/notifications.gateway';
import { WebhookEndpointsController } from './notifications/webhook-endpoints.controller';
import { PaymentsController } from './payments/payments.controller';
import { PayoutsController } from './payments/payouts.controller';
import { ReconciliationsController } from './payments/reconciliations.controller';
import { PayPalWebhookController } from './payments/paypal-webhook.controller';
import { StripeWebhookController } from './payments/stripe-webhook.controller';
import { TwilioWebhookController } from './notifications/twilio-webhook.controller';
import { UploadsController } from './storage/uploads.controller';
import { CustodyAdminController } from './trading/custody-admin.controller';
import { TradingController } from './trading/trading.controller';
import { AuctionsController } from './auctions/auctions.controller';
import { AuctionsGateway } from './auctions/auctions.gateway';
import { AggregatorWebhookController } from './orders/aggregator-webhook.controller';
import { TopupAdminController } from './orders/topup-admin.controller';
import { TopupController } from './orders/topup.controller';
import { TopupGateway } from './orders/topup.gateway';

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
        AsyncApiController,
        WalletsController,
        AssetsController,
        LedgerAccountsController,
        LedgerTransfersController,
        UploadsController,
        NotificationsController,
        WebhookEndpointsController,
        TradingController,
        CustodyAdminController,
        KycController,
        KycReviewController,
        SumsubWebhookController,
        PaymentsController,
        PayoutsController,
        ReconciliationsController,
        StripeWebhookController,
        PayPalWebhookController,
        TwilioWebhookController,
        AlertsController,
        AuctionsController,
        TopupController,
        TopupAdminController,
        AggregatorWebhookController,
      ],
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule,
        RedisModule,
        QueueModule,
        ObservabilityModule.forRoot((c) => c.http.apiMetricsPort),
        RateLimitModule,
        IdempotencyModule,
        InboxModule,
        LedgerModule,
        LedgerApiModule,
        // Global guards run in module order: throttling first, then credential lookups.
        AuthModule,
        AuditModule,
        SocketsModule,
        SocketGatewaysModule,
        CandlesModule,
        MarketFanoutModule,
        StorageModule,
        NotificationsModule,
        AdminQueuesModule.forQueues([
          PLATFORM_QUEUE,
          LEDGER_QUEUE,
          MARKET_QUEUE,
          INBOX_QUEUE,
          STORAGE_QUEUE,
          NOTIFICATIONS_QUEUE,
          WEBHOOKS_QUEUE,
          ALERTS_QUEUE,
          AUCTIONS_QUEUE,
          TOPUP_QUEUE,
          PAYMENTS_QUEUE,
        ]),
        TradingModule,
        CustodyModule,
        KycModule,
        PaymentsModule,
        AlertsApiModule,
        AuctionsModule,
        OrdersApiModule,
        ...extra,
      ],
      providers: [
        PricesGateway,
        NotificationsGateway,
        AlertsGateway,
        AuctionsGateway,
        TopupGateway,
      ],
    };
  }
}
