import { LedgerModule } from '@bourse/ledger';
import { NotificationsModule } from '@bourse/notifications';
import { PaymentPurposes, PaymentsModule } from '@bourse/payments';
import { AuditModule, AuthModule, requireConfigSection } from '@bourse/platform';
import { Module } from '@nestjs/common';
import { AggregatorCallbackHandler, AggregatorCallbackVerifier } from './aggregator.webhook';
import { CallbackIntake } from './callback-intake.service';
import { CatalogueService } from './catalogue.service';
import { DtOneClient } from './dtone.client';
import { OrderMoney } from './order-money';
import { OrderSteps } from './order-steps';
import { OrderTransitions } from './order-transitions';
import { ORDERS_CONFIG } from './orders.config';
import { OrdersMetrics, OrdersStateMetrics } from './orders.metrics';
import { OrdersRepository } from './orders.repository';
import { OrdersService } from './orders.service';
import { ResellersService } from './resellers.service';

/** `topup_order`: a card or PayPal capture pays the aggregator float (the order's price). */
const topupPurpose = {
  provide: 'orders.purpose:topup_order',
  inject: [PaymentPurposes, OrderMoney],
  useFactory: (purposes: PaymentPurposes, money: OrderMoney) =>
    purposes.register({
      name: 'topup_order',
      settlementAccount: (payment, tx) => money.floatAccount(payment.asset, tx),
    }),
};

/**
 * Top-up orders: the aggregator's catalogue, quotes, orders and their state machine, the money
 * of each transition, and the worker's steps. Needs the platform's globals (Database, the
 * outbox, APP_CONFIG composing ORDERS_CONFIG, SocketEmitter, metrics).
 */
@Module({
  imports: [LedgerModule, PaymentsModule, NotificationsModule, AuditModule],
  providers: [
    requireConfigSection(ORDERS_CONFIG),
    OrdersRepository,
    DtOneClient,
    CatalogueService,
    OrderMoney,
    OrderTransitions,
    OrderSteps,
    OrdersService,
    OrdersMetrics,
    topupPurpose,
  ],
  exports: [OrdersService, CatalogueService, OrderSteps, OrdersRepository],
})
export class OrdersModule {}

/** The api's part: resellers' administration and the aggregator's callbacks. */
@Module({
  imports: [OrdersModule, LedgerModule, AuditModule, AuthModule],
  providers: [ResellersService, CallbackIntake, AggregatorCallbackVerifier],
  exports: [OrdersModule, ResellersService, CallbackIntake, AggregatorCallbackVerifier],
})
export class OrdersApiModule {}

/** The worker's part: callbacks applied from the inbox, and orders by state on /metrics. */
@Module({
  imports: [OrdersModule],
  providers: [AggregatorCallbackHandler, OrdersStateMetrics],
  exports: [OrdersModule],
})
export class OrdersWorkerModule {}
