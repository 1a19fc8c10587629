/**
 * Exact decimal arithmetic for provider prices: a price is `units / 10^scale` with integer
 * `units`, so 2650.125 rounds to 2650.13 (a float would make it 2650.12) and an inverse rate is
 * rounded once, at the end.
 */
export interface Decimal {
  units: bigint;
  scale: number;
}

// Plain or exponent notation (JSON numbers such as 5.09e-6); no sign, a price is positive. The
// length and exponent caps keep the BigInt powers trivially small.
const DECIMAL = /^(\d+)(?:\.(\d*))?(?:[eE]([+-]?\d{1,3}))?$/;
const MAX_LENGTH = 64;

/** The exact value of a non-negative decimal text, or undefined when it is not one. */
export function parseDecimal(text: string): Decimal | undefined {
  const match = text.length <= MAX_LENGTH ? DECIMAL.exec(text.trim()) : null;
  if (!match) {
    return undefined;
  }
  const [, whole, fraction = '', exponent = '0'] = match;
  const scale = fraction.length - Number(exponent);
  const units = BigInt(whole! + fraction);

  return scale >= 0 ? { units, scale } : { units: units * 10n ** BigInt(-scale), scale: 0 };
}

/** `numerator / denominator` rounded half-up; both non-negative, denominator positive. */
function divideHalfUp(numerator: bigint, denominator: bigint): bigint {
  return (numerator * 2n + denominator) / (denominator * 2n);
}

/** The value in minor units of `scale`, rounded half-up. */
export function toScale(value: Decimal, scale: number): bigint {
  return value.scale <= scale
    ? value.units * 10n ** BigInt(scale - value.scale)
    : divideHalfUp(value.units, 10n ** BigInt(value.scale - scale));
}

/** `1 / value` in minor units of `scale`, rounded half-up once; undefined for zero. */
export function inverseToScale(value: Decimal, scale: number): bigint | undefined {
  return value.units === 0n
    ? undefined
    : divideHalfUp(10n ** BigInt(value.scale + scale), value.units);
}

/** `(a + b) / 2` in minor units of `scale`, rounded half-up once. */
export function midToScale(a: Decimal, b: Decimal, scale: number): bigint {
  const common = Math.max(a.scale, b.scale);
  const sum = a.units * 10n ** BigInt(common - a.scale) + b.units * 10n ** BigInt(common - b.scale);

  const up = 10n ** BigInt(Math.max(0, scale - common));
  const down = 10n ** BigInt(Math.max(0, common - scale));

  return divideHalfUp(sum * up, 2n * down);
}

/** Minor units as a decimal string with exactly `scale` decimals ("265012", 2 -> "2650.12"). */
export function formatUnits(units: bigint | number, scale: number): string {
  const text = units.toString().padStart(scale + 1, '0');

  return scale === 0 ? text : `${text.slice(0, -scale)}.${text.slice(-scale)}`;
}
