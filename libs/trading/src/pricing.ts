/**
 * Quote arithmetic, all in bigint: prices in the market symbol's scale (USD per troy ounce), cash
 * and metal in their ledger minor units. Every conversion rounds in the house's favour: the user
 * pays the cent above and receives the milligram below, never the other way.
 */

/** One troy ounce is 31.1034768 g exactly: 311034768 × 10^-7 g. */
const TROY_OUNCE_E7_GRAMS = 311_034_768n;
const BPS = 10_000n;

export interface Scales {
  /** Decimals of the market price (2 for XAUUSD). */
  price: number;
  /** Decimals of the cash asset (2 for USD: cents). */
  cash: number;
  /** Decimals of the metal asset, in grams (3: milligrams). */
  metal: number;
}

export type Rounding = 'up' | 'down';

const pow10 = (n: number): bigint => 10n ** BigInt(n);

/** `num / den` for non-negative operands, rounded as asked. */
export function divide(num: bigint, den: bigint, rounding: Rounding): bigint {
  const q = num / den;

  return rounding === 'up' && q * den !== num ? q + 1n : q;
}

/** A decimal string in `scale` decimals ("2650.5" at scale 2) as an integer (265050n). */
export function parsePrice(price: string, scale: number): bigint {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(price);
  if (!match || (match[2]?.length ?? 0) > scale) {
    throw new RangeError(`Not a price at scale ${scale}: ${price}`);
  }

  return BigInt(match[1]! + (match[2] ?? '').padEnd(scale, '0'));
}

/** An integer price back to its decimal string. */
export function formatPrice(price: bigint, scale: number): string {
  if (scale === 0) {
    return price.toString();
  }
  const digits = price.toString().padStart(scale + 1, '0');

  return `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

/** The ask (mid plus the half-spread, up) and bid (mid minus it, down). */
export function spreadPrices(mid: bigint, spreadBps: number): { bid: bigint; ask: bigint } {
  const bps = BigInt(spreadBps);

  return {
    ask: divide(mid * (BPS + bps), BPS, 'up'),
    bid: divide(mid * (BPS - bps), BPS, 'down'),
  };
}

/** Cash minor units worth `weight` metal minor units at `price` per troy ounce. */
export function cashFor(weight: bigint, price: bigint, s: Scales, rounding: Rounding): bigint {
  return divide(
    weight * price * pow10(s.cash + 7),
    pow10(s.price + s.metal) * TROY_OUNCE_E7_GRAMS,
    rounding,
  );
}

/** Metal minor units worth `cash` cash minor units at `price` per troy ounce. */
export function weightFor(cash: bigint, price: bigint, s: Scales, rounding: Rounding): bigint {
  return divide(
    cash * pow10(s.price + s.metal) * TROY_OUNCE_E7_GRAMS,
    price * pow10(s.cash + 7),
    rounding,
  );
}

/** The fee on a gross amount, rounded up. */
export function feeOn(gross: bigint, feeBps: number): bigint {
  return divide(gross * BigInt(feeBps), BPS, 'up');
}

export interface Amounts {
  weight: bigint;
  gross: bigint;
  fee: bigint;
  /** Buy: gross + fee, what the user pays. Sell: gross − fee, what the user receives. */
  total: bigint;
}

/**
 * A buy at `ask`: of `weight`, or for at most `amount` in all (fee included). The cash is always
 * the weight's value rounded up, so buying by amount may spend a cent or so less than `amount`.
 */
export function buyAmounts(
  request: { weight: bigint } | { amount: bigint },
  ask: bigint,
  s: Scales,
  feeBps: number,
): Amounts {
  let weight: bigint;
  if ('weight' in request) {
    weight = request.weight;
  } else {
    // The largest gross whose fee still fits in the amount.
    let gross = divide(request.amount * BPS, BPS + BigInt(feeBps), 'down');
    while (gross > 0n && gross + feeOn(gross, feeBps) > request.amount) {
      gross -= 1n;
    }
    weight = weightFor(gross, ask, s, 'down');
  }
  const gross = cashFor(weight, ask, s, 'up');
  const fee = feeOn(gross, feeBps);

  return { weight, gross, fee, total: gross + fee };
}

/**
 * A sell at `bid`: of `weight`, or receiving at least `amount` after the fee. The cash is always
 * the weight's value rounded down, so selling by amount may hand over a milligram or so more.
 */
export function sellAmounts(
  request: { weight: bigint } | { amount: bigint },
  bid: bigint,
  s: Scales,
  feeBps: number,
): Amounts {
  let weight: bigint;
  if ('weight' in request) {
    weight = request.weight;
  } else {
    // The smallest gross that leaves the amount after its fee.
    let gross = divide(request.amount * BPS, BPS - BigInt(feeBps), 'up');
    while (gross - feeOn(gross, feeBps) < request.amount) {
      gross += 1n;
    }
    weight = weightFor(gross, bid, s, 'up');
  }
  const gross = cashFor(weight, bid, s, 'down');
  const fee = feeOn(gross, feeBps);

  return { weight, gross, fee, total: gross - fee };
}
