import { formatUnits, parseDecimal, toScale } from '../providers/decimal';

/**
 * `price` rounded half-up to `scale` decimals, as a decimal string with exactly `scale`
 * decimals, in integer math (a float would turn 2650.005 into 2650.00). Undefined when the price
 * is not a positive decimal or rounds to zero: such a quote is dropped, never published.
 */
export function normalizePrice(price: string, scale: number): string | undefined {
  const value = parseDecimal(price);
  const units = value && toScale(value, scale);

  return units ? formatUnits(units, scale) : undefined;
}
