/** Minor units of a decimal amount (`"4.75"`, 2 → 475n); more decimals than `scale` are refused. */
export function toMinor(amount: number | string, scale: number): bigint {
  const text = String(amount);
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match || (match[2] ?? '').length > scale) {
    throw new Error(`Not an amount with at most ${scale} decimals: ${text}`);
  }

  return BigInt(match[1]! + (match[2] ?? '').padEnd(scale, '0'));
}

const ceilDiv = (a: bigint, b: bigint): bigint => (a + b - 1n) / b;

export interface Price {
  cost: bigint;
  fee: bigint;
  commission: bigint;
  price: bigint;
  /** Units of the destination currency per unit of the payer's asset, 6 decimals. */
  fxRate: string;
}

/**
 * What a top-up costs the payer: the aggregator's cost plus our fee (basis points of the cost,
 * rounded up, for the house); a reseller's commission (its basis points of the cost, rounded
 * down) is paid out of that fee. The FX rate is the one the aggregator's product implies.
 */
export function priceOf(input: {
  cost: bigint;
  scale: number;
  feeBps: number;
  commissionBps: number;
  destinationAmount: string;
}): Price {
  const { cost, feeBps, commissionBps } = input;
  const fee = ceilDiv(cost * BigInt(feeBps), 10_000n);
  const commission = (cost * BigInt(commissionBps)) / 10_000n;
  const destinationMicros = toMinor(input.destinationAmount, 6);
  const rate = (destinationMicros * 10n ** BigInt(input.scale)) / cost;
  const whole = rate / 1_000_000n;
  const fraction = (rate % 1_000_000n).toString().padStart(6, '0');

  return { cost, fee, commission, price: cost + fee, fxRate: `${whole}.${fraction}` };
}
