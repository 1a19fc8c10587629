import { AccountsService, LedgerModule } from '@bourse/ledger';
import { AuditModule, requireConfigSection } from '@bourse/platform';
import { Module } from '@nestjs/common';
import { PaymentPurposes } from './payment-purpose';
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
 * Payment intents, their provider adapters (Stripe, PayPal) and their settlement in the ledger. Needs what the
 * platform provides globally (Database, APP_CONFIG composing PAYMENTS_CONFIG, idempotency).
 * Other libs declare purposes by registering them with `PaymentPurposes`.
 */
@Module({
  imports: [LedgerModule, AuditModule],
  providers: [
    requireConfigSection(PAYMENTS_CONFIG),
    PaymentsService,
    PaymentsRepository,
    PaymentPurposes,
    StripeGateway,
    StripeSignature,
    PayPalGateway,
    PayPalSignature,
    walletDeposit,
  ],
  exports: [PaymentsService, PaymentPurposes, StripeSignature, PayPalGateway, PayPalSignature],
})
export class PaymentsModule {}

/** The worker's part: the providers' events applied from the inbox, and the payments gauge. */
@Module({
  imports: [PaymentsModule],
  providers: [StripeEventHandler, PayPalEventHandler, PaymentsMetrics, PaymentsRepository],
})
export class PaymentsWorkerModule {}
