import { ALERTS_QUEUE, AlertsWorkerModule } from '@bourse/alerts';
import { CandlesModule, MARKET_QUEUE, MarketUpstreamModule } from '@bourse/market-data';
import {
  AccountEmailsModule,
  ConfigModule,
  DatabaseModule,
  IdempotencyModule,
  INBOX_QUEUE,
  InboxModule,
  InboxWorkerModule,
  ObservabilityModule,
  OutboxRelayModule,
  PLATFORM_QUEUE,
  QueueModule,
  QueuesCheck,
  RedisModule,
  SocketsModule,
  type ModuleImport,
} from '@bourse/platform';
import { KYC_QUEUE, KycModule, SumsubReviewHandler } from '@bourse/kyc';
import { LEDGER_QUEUE, LedgerMetricsModule, LedgerModule } from '@bourse/ledger';
import {
  NOTIFICATIONS_QUEUE,
  NotificationsWorkerModule,
  WEBHOOKS_QUEUE,
} from '@bourse/notifications';
import { PAYMENTS_QUEUE, PaymentsWorkerModule } from '@bourse/payments';
import { OrdersWorkerModule, TOPUP_QUEUE } from '@bourse/orders';
import { STORAGE_QUEUE, StorageModule } from '@bourse/storage';
import { CustodyWorkerModule, TRADING_QUEUE } from '@bourse/trading';
import { AUCTIONS_QUEUE, AuctionsModule } from '@bourse/auctions';
import { BullModule } from '@nestjs/bull';
import { Module, type DynamicModule } from '@nestjs/common';
import { EraseExpiredProcessor } from './kyc/erase-expired.processor';
import { KycScheduler } from './kyc/kyc.scheduler';
import { SumsubSubmitProcessor } from './kyc/sumsub-submit.processor';
import { SendAccountEmailProcessor } from './auth/send-account-email.processor';
import { PublishAlertProcessor } from './alerts/publish-alert.processor';
import { LedgerScheduler } from './ledger/ledger.scheduler';
import { VerifyInvariantsProcessor } from './ledger/verify-invariants.processor';
import { VoidExpiredHoldsProcessor } from './ledger/void-expired-holds.processor';
import { DisputeDeadlinesProcessor } from './payments/dispute-deadlines.processor';
import { PaymentsScheduler } from './payments/payments.scheduler';
import { ReconcileProcessor } from './payments/reconcile.processor';
import { SendPayoutProcessor } from './payments/send-payout.processor';
import { PruneTicksProcessor } from './market/prune-ticks.processor';
import { PruneTicksScheduler } from './market/prune-ticks.scheduler';
import { DeliverWebhookProcessor } from './notifications/deliver-webhook.processor';
import { SendNotificationProcessor } from './notifications/send-notification.processor';
import { ProcessInboxEventProcessor } from './processors/process-inbox-event.processor';
import { PurgeIdempotencyKeysProcessor } from './processors/purge-idempotency-keys.processor';
import { PurgeOutboxProcessor } from './processors/purge-outbox.processor';
import { SweepInboxProcessor } from './processors/sweep-inbox.processor';
import { PlatformScheduler } from './schedulers/platform.scheduler';
import { StorageScheduler } from './storage/storage.scheduler';
import { SweepUploadsProcessor } from './storage/sweep-uploads.processor';
import { ThumbnailProcessor } from './storage/thumbnail.processor';
import { CustodyInstructionProcessor } from './trading/custody-instruction.processor';
import { CustodyScheduler } from './trading/custody.scheduler';
import { ReconcileCustodyProcessor } from './trading/reconcile-custody.processor';
import { TopupProcessor } from './orders/topup.processor';
import { TopupScheduler } from './orders/topup.scheduler';
import type { WorkerConfig } from './worker.config';
import { AuctionJobsProcessor } from './auctions/auction-jobs.processor';
import { AuctionsScheduler } from './auctions/auctions.scheduler';

/**
 * The worker: outbox relay, processors and schedulers. On close the relay and schedulers stop
 * first (module destroy), queues then wait for running jobs (before shutdown), pools close last.
 */
@Module({})
export class WorkerModule {
  /** `extra` lets tests add their own queues and processors to the production stack. */
  static forConfig(config: WorkerConfig, extra: ModuleImport[] = []): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule,
        RedisModule,
        QueueModule,
        ObservabilityModule.forRoot((c) => c.http.workerMetricsPort, [QueuesCheck]),
        OutboxRelayModule,
        // Emits to sockets on the api nodes (SocketEmitter); serves none itself.
        SocketsModule,
        BullModule.registerQueue({ name: PLATFORM_QUEUE }),
        BullModule.registerQueue({ name: MARKET_QUEUE }),
        BullModule.registerQueue({ name: LEDGER_QUEUE }),
        BullModule.registerQueue({ name: INBOX_QUEUE }),
        BullModule.registerQueue({ name: STORAGE_QUEUE }),
        BullModule.registerQueue({ name: NOTIFICATIONS_QUEUE }),
        BullModule.registerQueue({ name: WEBHOOKS_QUEUE }),
        BullModule.registerQueue({ name: PAYMENTS_QUEUE }),
        BullModule.registerQueue({ name: KYC_QUEUE }),
        BullModule.registerQueue({ name: TRADING_QUEUE }),
        BullModule.registerQueue({ name: ALERTS_QUEUE }),
        BullModule.registerQueue({ name: AUCTIONS_QUEUE }),
        // A killed worker's top-up job is taken up again within seconds, not Bull's 30 s.
        BullModule.registerQueue({
          name: TOPUP_QUEUE,
          settings: {
            lockDuration: config.orders.jobLockMs,
            lockRenewTime: config.orders.jobLockMs / 4,
            stalledInterval: config.orders.jobLockMs / 2,
            maxStalledCount: 5,
          },
        }),
        IdempotencyModule,
        InboxModule,
        InboxWorkerModule,
        LedgerModule,
        LedgerMetricsModule,
        ...(config.market.provider === 'none' ? [] : [MarketUpstreamModule]),
        CandlesModule,
        StorageModule,
        NotificationsWorkerModule,
        AccountEmailsModule,
        KycModule,
        PaymentsWorkerModule,
        CustodyWorkerModule,
        AlertsWorkerModule,
        AuctionsModule,
        OrdersWorkerModule,
        ...extra,
      ],
      providers: [
        PurgeIdempotencyKeysProcessor,
        PurgeOutboxProcessor,
        ProcessInboxEventProcessor,
        SweepInboxProcessor,
        PlatformScheduler,
        PruneTicksProcessor,
        PruneTicksScheduler,
        VoidExpiredHoldsProcessor,
        VerifyInvariantsProcessor,
        LedgerScheduler,
        SweepUploadsProcessor,
        ThumbnailProcessor,
        StorageScheduler,
        SendNotificationProcessor,
        SendAccountEmailProcessor,
        DeliverWebhookProcessor,
        SumsubReviewHandler,
        DisputeDeadlinesProcessor,
        SendPayoutProcessor,
        ReconcileProcessor,
        PaymentsScheduler,
        SumsubSubmitProcessor,
        EraseExpiredProcessor,
        KycScheduler,
        CustodyInstructionProcessor,
        ReconcileCustodyProcessor,
        CustodyScheduler,
        PublishAlertProcessor,
        AuctionJobsProcessor,
        AuctionsScheduler,
        TopupProcessor,
        TopupScheduler,
      ],
    };
  }
}
