import { describe, expect, it } from 'vitest';
import { formatMinor } from './money';

describe('formatMinor', () => {
  it('places the decimal point by the asset scale', () => {
    expect(formatMinor('1250', 2)).toBe('12.50');
    expect(formatMinor('1250', 3)).toBe('1.250');
    expect(formatMinor('7', 2)).toBe('0.07');
    expect(formatMinor('0', 2)).toBe('0.00');
    expect(formatMinor('42', 0)).toBe('42');
  });

  it('keeps the sign of negative amounts, but not of zero', () => {
    expect(formatMinor('-2500', 2)).toBe('-25.00');
    expect(formatMinor('-5', 3)).toBe('-0.005');
    expect(formatMinor('-0', 2)).toBe('0.00');
  });

  it('groups thousands and keeps every digit of amounts beyond a float', () => {
    expect(formatMinor('123456789012345678901', 2)).toBe('1,234,567,890,123,456,789.01');
    expect(formatMinor('000100', 2)).toBe('1.00');
  });

  it('refuses anything but an integer string', () => {
    expect(() => formatMinor('12.5', 2)).toThrow('not an integer amount');
    expect(() => formatMinor('', 2)).toThrow('not an integer amount');
  });
});
