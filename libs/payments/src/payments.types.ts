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
  attempt?: PaymentAttempt;
}
