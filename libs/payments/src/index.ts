export { PAYMENTS_AUDIT } from './payments.audit';
export { PAYMENTS_CONFIG, type PaymentsAppConfig } from './payments.config';
export { PaymentsModule, PaymentsWorkerModule } from './payments.module';
export { PaymentsService } from './payments.service';
export { PaymentPurposes, type PaymentPurpose } from './payment-purpose';
export {
  CAPTURE_MODES,
  DECLINE_CODES,
  PAYMENT_PROVIDERS,
  PAYMENT_STATES,
  RETRYABLE_DECLINES,
  TERMINAL_STATES,
  statesBefore,
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
