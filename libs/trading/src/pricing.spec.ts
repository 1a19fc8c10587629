import {
  buyAmounts,
  cashFor,
  divide,
  feeOn,
  formatPrice,
  parsePrice,
  sellAmounts,
  spreadPrices,
  weightFor,
  type Scales,
} from './pricing';

/** Gold: XAUUSD at 2 decimals, USD cents, XAU milligrams. */
const GOLD: Scales = { price: 2, cash: 2, metal: 3 };
/** Silver quotes at 3 decimals. */
const SILVER: Scales = { price: 3, cash: 2, metal: 3 };
const FEE_BPS = 25;

/** Exact value of `weight` at `price` as a fraction `num / den` of cents, to compare roundings with. */
const exactCents = (weight: bigint, price: bigint, s: Scales) => ({
  num: weight * price * 10n ** BigInt(s.cash + 7),
  den: 10n ** BigInt(s.price + s.metal) * 311_034_768n,
});

describe('trading pricing (integer arithmetic, house-favoured rounding)', () => {
  it('parses and formats prices at the symbol scale, refusing finer ones', () => {
    expect(parsePrice('2650.5', 2)).toBe(265050n);
    expect(parsePrice('2650', 2)).toBe(265000n);
    expect(parsePrice('31.250', 3)).toBe(31250n);
    expect(formatPrice(265050n, 2)).toBe('2650.50');
    expect(formatPrice(5n, 3)).toBe('0.005');
    expect(() => parsePrice('2650.505', 2)).toThrow(RangeError);
    expect(() => parsePrice('-1', 2)).toThrow(RangeError);
  });

  it('divides rounding up only when there is a remainder', () => {
    expect(divide(10n, 5n, 'up')).toBe(2n);
    expect(divide(11n, 5n, 'up')).toBe(3n);
    expect(divide(14n, 5n, 'down')).toBe(2n);
  });

  it('puts the ask above and the bid below the mid, rounding each away from the user', () => {
    expect(spreadPrices(265000n, 50)).toEqual({ ask: 266325n, bid: 263675n });
    // 265001 × 1.005 = 266326.005 → 266327; × 0.995 = 263675.995 → 263675.
    expect(spreadPrices(265001n, 50)).toEqual({ ask: 266327n, bid: 263675n });
    expect(spreadPrices(265001n, 0)).toEqual({ ask: 265001n, bid: 265001n });
  });

  it('converts a whole number of troy ounces exactly (311034768 mg = 10,000 ozt)', () => {
    const weight = 311_034_768n;
    expect(cashFor(weight, 265000n, GOLD, 'up')).toBe(2_650_000_000n);
    expect(cashFor(weight, 265000n, GOLD, 'down')).toBe(2_650_000_000n);
    expect(weightFor(2_650_000_000n, 265000n, GOLD, 'down')).toBe(weight);
    expect(weightFor(2_650_000_000n, 265000n, GOLD, 'up')).toBe(weight);
  });

  it('rounds a fraction of a cent or milligram the way asked', () => {
    // 1 mg of gold at 2650.00 is 8.52 cents.
    expect(cashFor(1n, 265000n, GOLD, 'up')).toBe(9n);
    expect(cashFor(1n, 265000n, GOLD, 'down')).toBe(8n);
    // 100 cents buy 11.74 mg.
    expect(weightFor(100n, 265000n, GOLD, 'down')).toBe(11n);
    expect(weightFor(100n, 265000n, GOLD, 'up')).toBe(12n);
    // Silver at 31.250 per ozt: 1 g is 100.47 cents.
    expect(cashFor(1000n, 31250n, SILVER, 'down')).toBe(100n);
    expect(cashFor(1000n, 31250n, SILVER, 'up')).toBe(101n);
  });

  it('rounds the fee up, and charges none on nothing', () => {
    expect(feeOn(0n, FEE_BPS)).toBe(0n);
    expect(feeOn(1n, FEE_BPS)).toBe(1n);
    expect(feeOn(40_000n, FEE_BPS)).toBe(100n);
    expect(feeOn(40_001n, FEE_BPS)).toBe(101n);
    expect(feeOn(40_001n, 0)).toBe(0n);
  });

  it('a buy by weight charges at least the exact value, a sell by weight pays at most it', () => {
    for (const weight of [1n, 7n, 1000n, 31_103n, 31_104n, 999_999_999n]) {
      const buy = buyAmounts({ weight }, 266325n, GOLD, FEE_BPS);
      const sell = sellAmounts({ weight }, 263675n, GOLD, FEE_BPS);
      const b = exactCents(weight, 266325n, GOLD);
      const s = exactCents(weight, 263675n, GOLD);

      expect(buy.weight).toBe(weight);
      expect(buy.gross * b.den).toBeGreaterThanOrEqual(b.num);
      expect((buy.gross - 1n) * b.den).toBeLessThan(b.num);
      expect(buy.total).toBe(buy.gross + buy.fee);
      expect(sell.gross * s.den).toBeLessThanOrEqual(s.num);
      expect((sell.gross + 1n) * s.den).toBeGreaterThan(s.num);
      expect(sell.total).toBe(sell.gross - sell.fee);
    }
  });

  it('a buy by amount spends at most the amount, and one milligram more would cost more', () => {
    for (const amount of [1_000n, 1_001n, 99_999n, 1_000_000n, 123_456_789n]) {
      for (const ask of [266325n, 266327n, 1n, 99_999_999n]) {
        const buy = buyAmounts({ amount }, ask, GOLD, FEE_BPS);

        expect(buy.total).toBeLessThanOrEqual(amount);
        expect(buyAmounts({ weight: buy.weight + 1n }, ask, GOLD, FEE_BPS).total).toBeGreaterThan(
          amount,
        );
      }
    }
  });

  it('a sell by amount pays at least the amount, and one milligram less would pay less', () => {
    for (const amount of [1_000n, 1_001n, 99_999n, 1_000_000n, 123_456_789n]) {
      for (const bid of [263675n, 263677n, 100n, 99_999_999n]) {
        const sell = sellAmounts({ amount }, bid, GOLD, FEE_BPS);

        expect(sell.total).toBeGreaterThanOrEqual(amount);
        expect(sellAmounts({ weight: sell.weight - 1n }, bid, GOLD, FEE_BPS).total).toBeLessThan(
          amount,
        );
      }
    }
  });

  it('an amount too small for one milligram buys nothing (the service refuses it)', () => {
    expect(buyAmounts({ amount: 1n }, 266325n, GOLD, FEE_BPS)).toMatchObject({
      weight: 0n,
      gross: 0n,
    });
    // 1 mg sold pays 8 cents, less a 1 cent fee.
    expect(sellAmounts({ weight: 1n }, 263675n, GOLD, FEE_BPS)).toMatchObject({
      gross: 8n,
      fee: 1n,
      total: 7n,
    });
  });

  it('stays exact past the doubles (a billion ounces at a six-figure price)', () => {
    const weight = 311_034_768n * 100_000n; // 10^9 troy ounces, in mg
    const cents = 12_345_678_000_000_000n; // 10^9 × 123,456.78 USD

    expect(cents).toBeGreaterThan(BigInt(Number.MAX_SAFE_INTEGER));
    expect(cashFor(weight, 12_345_678n, GOLD, 'down')).toBe(cents);
    expect(cashFor(weight + 1n, 12_345_678n, GOLD, 'down')).toBe(cents + 396n);
    expect(weightFor(cents, 12_345_678n, GOLD, 'up')).toBe(weight);
  });
});
