/** The metals traded: ledger asset codes, quoted by market-data as `<metal>USD`. */
export const METALS = ['XAU', 'XAG', 'XPT'] as const;
export type Metal = (typeof METALS)[number];

export const SIDES = ['buy', 'sell'] as const;
export type Side = (typeof SIDES)[number];

/** The cash asset trades settle in: the market's quote currency. */
export const CASH_ASSET = 'USD';

export interface Quote {
  id: string;
  userId: string;
  metal: Metal;
  side: Side;
  /** The bid (sell) or ask (buy) locked for this quote, in the symbol's price scale. */
  price: bigint;
  mid: bigint;
  priceScale: number;
  /** Metal minor units (milligrams for a scale-3 asset). */
  weight: bigint;
  /** Cash minor units: the metal's value at `price`, the fee on it, and what the user pays (buy) or receives (sell). */
  gross: bigint;
  fee: bigint;
  total: bigint;
  priceAt: Date;
  createdAt: Date;
  expiresAt: Date;
}

export interface Order {
  id: string;
  seq: bigint;
  quoteId: string;
  userId: string;
  metal: Metal;
  side: Side;
  price: bigint;
  priceScale: number;
  weight: bigint;
  gross: bigint;
  fee: bigint;
  total: bigint;
  createdAt: Date;
}

export interface Position {
  metal: Metal;
  weight: bigint;
  /** What the metal held cost, in cash minor units (fees included). */
  cost: bigint;
}
