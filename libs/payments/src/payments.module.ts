import { AccountsService, LedgerModule } from '@bourse/ledger';
import { NotificationsModule } from '@bourse/notifications';
import { AuditModule, requireConfigSection } from '@bourse/platform';
import { Module } from '@nestjs/common';
import { DisputeAlerts } from './dispute-alerts';
import { DisputesRepository } from './disputes.repository';
import { DisputesService } from './disputes.service';
import { PaymentAccounts } from './payment-accounts';
import { PaymentPurposes } from './payment-purpose';
import { PayoutsRepository } from './payouts.repository';
import { PayoutsService } from './payouts.service';
import { ReconRepository } from './recon.repository';
import { ReconciliationService } from './reconciliation.service';
import { PAYMENTS_CONFIG } from './payments.config';
import { PaymentsMetrics } from './payments.metrics';
import { PaymentsRepository } from './payments.repository';
import { PaymentsService } from './payments.service';
import { PayPalGateway } from './paypal.gateway';
import { PayPalEventHandler, PayPalSignature } from './paypal.webhook';
import { StripeGateway } from './stripe.gateway';
import { StripeEventHandler, StripeSignature } from './stripe.webhook';

/** `wallet_deposit`: a capture credits the payer's wallet in the payment's asset. */
const walletDeposit = {
  provide: 'payments.purpose:wallet_deposit',
  inject: [PaymentPurposes, AccountsService],
  useFactory: (purposes: PaymentPurposes, accounts: AccountsService) =>
    purposes.register({
      name: 'wallet_deposit',
      settlementAccount: async (payment, tx) =>
        (await accounts.ensureWallet(payment.ownerId, payment.asset, tx)).id,
    }),
};

/**
 * Reconciliation alone (the cli's `payments:reconcile` loads just this): the providers'
 * settlement reports matched against the ledger.
 */
@Module({
  imports: [LedgerModule],
  providers: [
    requireConfigSection(PAYMENTS_CONFIG),
    ReconciliationService,
    ReconRepository,
    StripeGateway,
    PayPalGateway,
  ],
  exports: [ReconciliationService, ReconRepository],
})
export class PaymentsReconModule {}

/**
 * Payment intents, their provider adapters (Stripe, PayPal) and their settlement in the ledger. Needs what the
 * platform provides globally (Database, APP_CONFIG composing PAYMENTS_CONFIG, idempotency).
 * Other libs declare purposes by registering them with `PaymentPurposes`.
 */
@Module({
  imports: [LedgerModule, AuditModule, PaymentsReconModule],
  providers: [
    requireConfigSection(PAYMENTS_CONFIG),
    PaymentsService,
    PaymentsRepository,
    PaymentPurposes,
    PaymentAccounts,
    DisputesService,
    DisputesRepository,
    PayoutsService,
    PayoutsRepository,
    StripeGateway,
    StripeSignature,
    PayPalGateway,
    PayPalSignature,
    walletDeposit,
  ],
  exports: [
    PaymentsService,
    PayoutsService,
    DisputesService,
    DisputesRepository,
    PaymentPurposes,
    StripeGateway,
    StripeSignature,
    PayPalGateway,
    PayPalSignature,
    PaymentsReconModule,
  ],
})
export class PaymentsModule {}

/**
 * The worker's part: the providers' events applied from the inbox, the payments gauge and the
 * dispute deadline check (its alerts go through notifications).
 */
@Module({
  imports: [PaymentsModule, NotificationsModule],
  providers: [
    StripeEventHandler,
    PayPalEventHandler,
    PaymentsMetrics,
    PaymentsRepository,
    DisputeAlerts,
  ],
  exports: [DisputeAlerts, PaymentsModule],
})
export class PaymentsWorkerModule {}
