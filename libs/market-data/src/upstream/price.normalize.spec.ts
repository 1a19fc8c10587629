import { normalizePrice } from './price.normalize';

describe('normalizePrice', () => {
  it('pads a price with fewer decimals than the scale', () => {
    expect(normalizePrice('2650', 2)).toBe('2650.00');
    expect(normalizePrice('2650.1', 2)).toBe('2650.10');
    expect(normalizePrice('1.08', 5)).toBe('1.08000');
  });

  it('rounds half up where a float would round 2650.005 down', () => {
    expect(normalizePrice('2650.005', 2)).toBe('2650.01');
    expect(normalizePrice('2650.00499999', 2)).toBe('2650.00');
    expect(normalizePrice('31.2499', 3)).toBe('31.250');
    expect(normalizePrice('99.995', 2)).toBe('100.00');
  });

  it('keeps leading zeros of prices below one', () => {
    expect(normalizePrice('0.000377', 5)).toBe('0.00038');
    expect(normalizePrice('0.5', 0)).toBe('1');
  });

  it('reads exponent notation exactly', () => {
    expect(normalizePrice('2.65e3', 2)).toBe('2650.00');
    expect(normalizePrice('1.2345678e-1', 5)).toBe('0.12346');
    expect(normalizePrice('95000E0', 2)).toBe('95000.00');
  });

  it('handles prices far beyond the range of a double exactly', () => {
    expect(normalizePrice('123456789012345678901234.125', 2)).toBe('123456789012345678901234.13');
  });

  it('refuses what is not a positive decimal or rounds to zero', () => {
    for (const bad of [
      '',
      'abc',
      '-1',
      '+1',
      '1,5',
      'NaN',
      'Infinity',
      '1e',
      '.5',
      '0',
      '0.001',
      ' ',
    ]) {
      expect(normalizePrice(bad, 2)).toBeUndefined();
    }
    expect(normalizePrice('1'.repeat(65), 2)).toBeUndefined();
  });
});
