import type { OrderState } from './order-states';

/** The live namespace of top-up orders: each signed-in socket sits in its user's room. */
export const TOPUP_NAMESPACE = '/topup';

/** Emitted to the order's owner at every state change. */
export const ORDER_EVENT = 'order';

/** The wire payload of ORDER_EVENT; the order itself is fetched over REST after a reconnect. */
export interface OrderChangedPayload {
  id: string;
  state: OrderState;
  version: number;
  failureReason: string | null;
  updatedAt: string;
}
