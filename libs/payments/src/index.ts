export { PAYMENTS_AUDIT } from './payments.audit';
export { PAYMENTS_CONFIG, type PaymentsAppConfig } from './payments.config';
export { PaymentsModule, PaymentsReconModule, PaymentsWorkerModule } from './payments.module';
export { PaymentsService } from './payments.service';
export { DisputeAlerts } from './dispute-alerts';
export { PayoutsService } from './payouts.service';
export { ReconciliationService } from './reconciliation.service';
export {
  PAYMENTS_QUEUE,
  PaymentsJob,
  type DisputeDeadlinesJob,
  type ReconcileJob,
  type SendPayoutJob,
} from './payments.jobs';
export { PaymentPurposes, type PaymentPurpose } from './payment-purpose';
export {
  CAPTURE_MODES,
  DECLINE_CODES,
  PAYMENT_PROVIDERS,
  PAYMENT_STATES,
  RETRYABLE_DECLINES,
  TERMINAL_STATES,
  DISPUTE_STATUSES,
  PAYOUT_STATES,
  RECON_KINDS,
  RECON_STATUSES,
  statesBefore,
  type Dispute,
  type DisputeStatus,
  type Payout,
  type PayoutState,
  type ReconKind,
  type ReconStatus,
  type CaptureMode,
  type DeclineCode,
  type Payment,
  type PaymentAttempt,
  type PaymentProvider,
  type PaymentState,
  type ProviderReport,
} from './payments.types';
export {
  AmountTooLargeError,
  PaymentDeclinedError,
  PaymentNotFoundError,
  PayoutNotFoundError,
  ReconRunNotFoundError,
  PaymentStateError,
  ProviderRefusedError,
  ProviderUnavailableError,
  UnknownPurposeError,
} from './payments.errors';
export { STRIPE_PROVIDER, StripeEventDto, StripeSignature } from './stripe.webhook';
export { PAYPAL_PROVIDER, PayPalEventDto, PayPalSignature } from './paypal.webhook';
export {
  CreatePaymentDto,
  PaymentDto,
  PaymentPageDto,
  PaymentsQueryDto,
  RefundPaymentDto,
} from './dto/payment.dto';
export { CreatePayoutDto, PayoutDto, PayoutPageDto, PayoutsQueryDto } from './dto/payout.dto';
export {
  ReconLineDto,
  ReconRunDto,
  ReconRunPageDto,
  ReconRunsQueryDto,
} from './dto/reconciliation.dto';
