import type { CaptureMode, ProviderReport } from './payments.types';

/** A provider's side of an intent, as the service drives it; one implementation per provider. */
export interface PaymentGateway {
  /** Creates the provider's intent (idempotent on the payment id). */
  createIntent(input: {
    paymentId: string;
    amount: bigint;
    asset: string;
    captureMode: CaptureMode;
  }): Promise<{ ref: string; clientSecret: string | null; approvalUrl: string | null }>;
  /** Captures `amount` of an authorisation; not `final`, the rest stays authorised. */
  capture(ref: string, amount: bigint, final: boolean, key: string): Promise<ProviderReport>;
  /** Releases what is authorised and not captured. */
  cancel(ref: string): Promise<ProviderReport>;
  refund(ref: string, amount: bigint, key: string): Promise<void>;
}
