/** Decimal text in the API (levels, channel bounds, percents): up to 12 digits and 8 decimals. */
export const DECIMAL_PATTERN = /^\d{1,12}(\.\d{1,8})?$/;

const SCALE = 8;

/** Exact fixed-point units (1e-8) of a non-negative decimal string, for comparisons. */
export function toUnits(decimal: string): bigint {
  const [whole, fraction = ''] = decimal.split('.');

  return BigInt(whole! + fraction.padEnd(SCALE, '0').slice(0, SCALE));
}

/** Percent units of the change from `ref` to `cur`, rounded toward zero (`ref` > 0). */
export function percentUnits(cur: bigint, ref: bigint): bigint {
  return ((cur - ref) * 100n * 10n ** BigInt(SCALE)) / ref;
}
