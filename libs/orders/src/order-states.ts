/**
 * The one place the top-up order's states and transitions are declared; every state change goes
 * through `canMove` (OrderTransitions), anything else is refused.
 *
 *   created ──> payment_pending ──> paid ──> submitted ──> delivered ──> refunding ──> refunded
 *      │              │               │          │                          ^
 *      └──> paid      ├──> expired    │          └──> failed ───────────────┘
 *                     └──> cancelled <┘
 */
export const ORDER_STATES = [
  'created',
  'payment_pending',
  'paid',
  'submitted',
  'delivered',
  'failed',
  'refunding',
  'refunded',
  'cancelled',
  'expired',
] as const;
export type OrderState = (typeof ORDER_STATES)[number];

const TRANSITIONS: Readonly<Record<OrderState, readonly OrderState[]>> = {
  // Wallet and float orders hold the money as they are created: straight to paid.
  created: ['payment_pending', 'paid', 'cancelled'],
  payment_pending: ['paid', 'cancelled', 'expired'],
  paid: ['submitted', 'cancelled'],
  // failed: the aggregator declined, or it never confirmed within the polls.
  submitted: ['delivered', 'failed'],
  // An admin refunds a delivered top-up the operator reversed.
  delivered: ['refunding'],
  failed: ['refunding'],
  refunding: ['refunded'],
  refunded: [],
  cancelled: [],
  expired: [],
};

/** States no transition leaves. */
export const FINAL_STATES: readonly OrderState[] = ORDER_STATES.filter(
  (state) => TRANSITIONS[state].length === 0,
);

/** States whose work is still to be done: the sweeper's and the metrics' "unfinished". */
export const OPEN_STATES: readonly OrderState[] = ORDER_STATES.filter(
  (state) => !FINAL_STATES.includes(state) && state !== 'delivered',
);

export const canMove = (from: OrderState, to: OrderState): boolean =>
  TRANSITIONS[from].includes(to);

/** Every legal (from, to) pair, for the README and the tests. */
export const LEGAL_TRANSITIONS: ReadonlyArray<readonly [OrderState, OrderState]> =
  ORDER_STATES.flatMap((from) => TRANSITIONS[from].map((to) => [from, to] as const));
