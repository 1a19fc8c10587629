/**
 * Amounts travel as integer minor units in decimal strings ("1250" USD at scale 2 is 12.50). They
 * are shown by moving the decimal point in the string: a float would round large balances and
 * print 0.1 + 0.2 as 0.30000000000000004.
 */
export function formatMinor(amount: string, scale: number): string {
  if (!/^-?\d+$/.test(amount)) {
    throw new Error(`not an integer amount: ${amount}`);
  }
  const negative = amount.startsWith('-');
  const digits = (negative ? amount.slice(1) : amount).replace(/^0+(?=\d)/, '');
  const padded = digits.padStart(scale + 1, '0');
  const whole = padded.slice(0, padded.length - scale).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const fraction = scale > 0 ? `.${padded.slice(padded.length - scale)}` : '';
  const zero = /^0+$/.test(digits);

  return `${negative && !zero ? '-' : ''}${whole}${fraction}`;
}

/** An amount with its asset code; in raw minor units if the asset's scale is unknown. */
export function formatAmount(
  amount: string,
  asset: { scale: number } | undefined,
  code: string,
): string {
  return asset ? `${formatMinor(amount, asset.scale)} ${code}` : `${amount} (minor units) ${code}`;
}
