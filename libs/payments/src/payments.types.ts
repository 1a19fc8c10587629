export const PAYMENT_PROVIDERS = ['stripe', 'paypal'] as const;
export type PaymentProvider = (typeof PAYMENT_PROVIDERS)[number];

export const CAPTURE_MODES = ['automatic', 'manual'] as const;
/** `automatic`: captured when authorised; `manual`: authorised now, captured by a later call. */
export type CaptureMode = (typeof CAPTURE_MODES)[number];

export const PAYMENT_STATES = [
  'requires_action',
  'processing',
  'requires_capture',
  'succeeded',
  'failed',
  'cancelled',
] as const;
export type PaymentState = (typeof PAYMENT_STATES)[number];

/** The one place terminal states are declared: no operation leaves them. */
export const TERMINAL_STATES: readonly PaymentState[] = ['succeeded', 'failed', 'cancelled'];

/**
 * The states an intent may enter `to` from: forward only, never out of a terminal state, with one
 * exception: money the provider reports captured after a decline (the customer paid on the same
 * client secret with another card) moves `failed` to `succeeded`, since the capture is a fact.
 */
export function statesBefore(to: PaymentState): PaymentState[] {
  const open = PAYMENT_STATES.filter((state) => !TERMINAL_STATES.includes(state));
  if (TERMINAL_STATES.includes(to)) {
    return to === 'succeeded' ? [...open, 'failed'] : open;
  }

  return open.slice(0, open.indexOf(to));
}

/** Declines normalised across providers; `retryable`: the same request may succeed later. */
export const DECLINE_CODES = [
  'insufficient_funds',
  'card_declined',
  'fraud_suspected',
  'expired_card',
  'authentication_required',
  'processing_error',
] as const;
export type DeclineCode = (typeof DECLINE_CODES)[number];

export const RETRYABLE_DECLINES: readonly DeclineCode[] = [
  'authentication_required',
  'processing_error',
];

export interface Payment {
  id: string;
  ownerId: string;
  purpose: string;
  provider: PaymentProvider;
  captureMode: CaptureMode;
  asset: string;
  amount: bigint;
  /** Settled in the ledger so far (cumulative). */
  captured: bigint;
  refunded: bigint;
  /** The provider's fee reported so far (cumulative), its own ledger leg. */
  fee: bigint;
  state: PaymentState;
  providerRef: string | null;
  clientSecret: string | null;
  approvalUrl: string | null;
  declineCode: DeclineCode | null;
  createdAt: Date;
  updatedAt: Date;
}

/** One try at paying an intent, as the provider reported it. */
export interface PaymentAttempt {
  providerRef: string;
  outcome: 'authorized' | 'captured' | 'declined';
  declineCode?: DeclineCode;
  retryable?: boolean;
}

/**
 * What a provider says about an intent, normalised: amounts are cumulative, so applying an old
 * or repeated report changes nothing and reports may arrive in any order.
 */
export interface ProviderReport {
  /** The provider's id of the intent (Stripe: the PaymentIntent id). */
  ref: string;
  state?: PaymentState;
  captured?: bigint;
  refunded?: bigint;
  /** The provider's fee on what was captured (Stripe's balance transactions, PayPal's paypal_fee). */
  fee?: bigint;
  attempt?: PaymentAttempt;
}

export const DISPUTE_STATUSES = ['open', 'won', 'lost'] as const;
/** `open` until the provider decides: `won` (the money comes back) or `lost` (written off). */
export type DisputeStatus = (typeof DISPUTE_STATUSES)[number];

/** A chargeback the provider opened on a payment. */
export interface Dispute {
  id: string;
  paymentId: string;
  provider: PaymentProvider;
  /** The provider's dispute id. */
  providerRef: string;
  asset: string;
  amount: bigint;
  status: DisputeStatus;
  reason: string | null;
  /** When the provider needs our evidence by; the deadline check alerts ahead of it. */
  evidenceDueBy: Date | null;
  alertedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** What a provider says about a dispute, normalised; any report may come first. */
export interface DisputeReport {
  ref: string;
  /** The provider's id of the disputed intent (Stripe: PaymentIntent; PayPal: order). */
  paymentRef: string;
  amount: bigint;
  status: DisputeStatus;
  reason: string | null;
  evidenceDueBy: Date | null;
}

export const PAYOUT_STATES = ['pending', 'in_transit', 'paid', 'failed', 'returned'] as const;
/**
 * `pending` (held in the ledger, not yet sent) → `in_transit` (PayPal has it) → `paid` (the hold
 * posted) | `failed` | `returned` (the hold released; a payout returned after it was paid is
 * credited back). `failed` and `returned` are terminal; `paid` may still be returned.
 */
export type PayoutState = (typeof PAYOUT_STATES)[number];

/** A withdrawal from a user's wallet to their PayPal account. */
export interface Payout {
  id: string;
  ownerId: string;
  asset: string;
  amount: bigint;
  /** The PayPal account (e-mail) paid. */
  receiver: string;
  state: PayoutState;
  /** The ledger hold placed at the request (wallet → payouts, pending). */
  holdTransferId: string;
  providerBatchId: string | null;
  providerItemId: string | null;
  /** PayPal's last item status (`SUCCESS`, `UNCLAIMED`, `RETURNED`, …) or its refusal. */
  providerStatus: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** What PayPal says about a payout item, normalised. */
export interface PayoutReport {
  itemId: string;
  state: PayoutState;
  providerStatus: string;
}

export const RECON_KINDS = ['capture', 'refund', 'fee', 'payout'] as const;
export type ReconKind = (typeof RECON_KINDS)[number];

export const RECON_STATUSES = [
  'matched',
  'missing_in_ledger',
  'missing_in_provider',
  'amount_mismatch',
  'expected',
] as const;
/**
 * `matched`; `missing_in_ledger` (the provider moved money we did not book); `missing_in_provider`
 * (we booked money the provider does not report); `amount_mismatch`; `expected` (booked by us,
 * not yet in the provider's report: in transit, within the grace period).
 */
export type ReconStatus = (typeof RECON_STATUSES)[number];

/** Statuses that need a human. */
export const RECON_EXCEPTIONS: readonly ReconStatus[] = [
  'missing_in_ledger',
  'missing_in_provider',
  'amount_mismatch',
];

/** One line of a provider's settlement report, normalised (amounts positive, minor units). */
export interface SettlementLine {
  /** The provider's transaction id (Stripe balance transaction, PayPal transaction). */
  ref: string;
  kind: ReconKind;
  /** The provider's id of the intent (Stripe PaymentIntent); PayPal names our payment id. */
  paymentRef?: string;
  paymentId?: string;
  payoutId?: string;
  asset: string;
  amount: bigint;
}

export interface ReconLine {
  kind: ReconKind;
  status: ReconStatus;
  paymentId: string | null;
  payoutId: string | null;
  /** The provider's transaction ids summed on this line, comma-separated. */
  providerRef: string | null;
  asset: string;
  providerAmount: bigint | null;
  ledgerAmount: bigint | null;
}

export interface ReconRun {
  id: string;
  provider: PaymentProvider;
  windowFrom: Date;
  windowTo: Date;
  lines: number;
  exceptions: number;
  createdAt: Date;
}
