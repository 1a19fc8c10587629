import { formatUnits, inverseToScale, midToScale, parseDecimal, toScale } from './decimal';

const at = (text: string, scale: number): string =>
  formatUnits(toScale(parseDecimal(text)!, scale), scale);

describe('provider decimals', () => {
  it('rounds half-up at the scale where a float would round down', () => {
    // 2650.125 and 1.005 are just below their decimal value as doubles.
    expect(at('2650.125', 2)).toBe('2650.13');
    expect(at('1.005', 2)).toBe('1.01');
    expect(at('2650.1249999', 2)).toBe('2650.12');
    expect(at('31.2', 3)).toBe('31.200');
    expect(at('0.004', 2)).toBe('0.00');
  });

  it('reads exponent notation as JSON prints it', () => {
    expect(at('5.09e-6', 8)).toBe('0.00000509');
    expect(at('2.65012E3', 2)).toBe('2650.12');
    expect(at('1e2', 0)).toBe('100');
  });

  it('refuses what is not a non-negative decimal', () => {
    for (const text of [
      '',
      '-1',
      'abc',
      '1.2.3',
      'NaN',
      'Infinity',
      '1e9999',
      '0x10',
      '1'.repeat(80),
    ]) {
      expect(parseDecimal(text)).toBeUndefined();
    }
  });

  it('inverts a per-USD rate exactly, rounding once', () => {
    // 1 / 0.000377 = 2652.519893...; 1 / 0.0000105263 = 95000.142...
    expect(formatUnits(inverseToScale(parseDecimal('0.000377')!, 2)!, 2)).toBe('2652.52');
    expect(formatUnits(inverseToScale(parseDecimal('0.0000105263')!, 2)!, 2)).toBe('95000.14');
    expect(formatUnits(inverseToScale(parseDecimal('0.8')!, 5)!, 5)).toBe('1.25000');
    expect(inverseToScale(parseDecimal('0')!, 2)).toBeUndefined();
  });

  it('takes the mid of bid and ask half-up', () => {
    const mid = (a: string, b: string, scale: number): string =>
      formatUnits(midToScale(parseDecimal(a)!, parseDecimal(b)!, scale), scale);
    expect(mid('25.35190000', '25.36520000', 2)).toBe('25.36'); // 25.35855
    expect(mid('1.01', '1.02', 2)).toBe('1.02'); // 1.015 exactly
    expect(mid('95000.01', '95000.02000000', 2)).toBe('95000.02');
    expect(mid('100', '101', 0)).toBe('101');
  });

  it('formats minor units with exactly scale decimals', () => {
    expect(formatUnits(5, 3)).toBe('0.005');
    expect(formatUnits(265012n, 2)).toBe('2650.12');
    expect(formatUnits(7n, 0)).toBe('7');
  });
});
