import { priceOf, toMinor } from './pricing';

describe('top-up pricing', () => {
  it('reads decimal amounts into minor units without floating point', () => {
    expect(toMinor(4.75, 2)).toBe(475n);
    expect(toMinor('19', 2)).toBe(1900n);
    expect(toMinor('85.5', 6)).toBe(85_500_000n);
    expect(() => toMinor('1.234', 2)).toThrow('at most 2 decimals');
  });

  it('adds the fee rounded up, pays the commission out of it rounded down, and states the rate', () => {
    expect(
      priceOf({ cost: 475n, scale: 2, feeBps: 300, commissionBps: 150, destinationAmount: '85.5' }),
    ).toEqual({ cost: 475n, fee: 15n, commission: 7n, price: 490n, fxRate: '18.000000' });
  });
});
