import type { OrderState } from './order-states';

export const PAY_WITH = ['wallet', 'float', 'stripe', 'paypal'] as const;
/** `wallet`: the user's ledger wallet; `float`: a reseller's prefunded float; card/PayPal via payments. */
export type PayWith = (typeof PAY_WITH)[number];

export interface Operator {
  id: string;
  name: string;
  countryIso: string;
  countryName: string;
}

export interface Product {
  id: string;
  operatorId: string;
  operatorName: string;
  countryIso: string;
  name: string;
  /** What the aggregator charges us, minor units of `wholesaleAsset`. */
  wholesale: bigint;
  wholesaleAsset: string;
  /** What the phone receives, a decimal string in `destinationCurrency`. */
  destinationAmount: string;
  destinationCurrency: string;
  available: boolean;
}

export interface Quote {
  id: string;
  userId: string;
  resellerId: string | null;
  productId: string;
  phone: string;
  asset: string;
  cost: bigint;
  fee: bigint;
  commission: bigint;
  price: bigint;
  fxRate: string;
  destinationAmount: string;
  destinationCurrency: string;
  createdAt: Date;
  expiresAt: Date;
}

export interface Order {
  id: string;
  quoteId: string;
  /** The payer: the consumer, or the user owning the reseller's float. */
  userId: string;
  resellerId: string | null;
  apiKeyId: string | null;
  productId: string;
  phone: string;
  asset: string;
  cost: bigint;
  fee: bigint;
  commission: bigint;
  price: bigint;
  payWith: PayWith;
  paymentId: string | null;
  holdId: string | null;
  state: OrderState;
  version: number;
  callbackSecret: string;
  aggregatorRef: string | null;
  failureReason: string | null;
  attempts: number;
  paidAt: Date | null;
  deliveredAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface OrderEvent {
  fromState: OrderState | null;
  toState: OrderState;
  version: number;
  reason: string | null;
  createdAt: Date;
}

export interface Reseller {
  id: string;
  name: string;
  userId: string;
  asset: string;
  feeBps: number;
  commissionBps: number;
  createdAt: Date;
}
