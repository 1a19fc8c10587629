import { SYMBOLS, type SymbolSpec } from '../symbols';
import type { Quote } from '../tick';
import { SimulatedProvider, simulatedQuotes } from './simulated.provider';

const silent = { log: jest.fn(), warn: jest.fn(), error: jest.fn() };
const decimals = (price: string): number => price.split('.')[1]?.length ?? 0;

describe('simulatedQuotes', () => {
  it('is the same sequence for the same seed and a different one for another seed', () => {
    const a = [...simulatedQuotes(42, SYMBOLS, 0, 500, 200)];
    const b = [...simulatedQuotes(42, SYMBOLS, 0, 500, 200)];
    const c = [...simulatedQuotes(43, SYMBOLS, 0, 500, 200)];
    expect(a).toEqual(b);
    expect(a.map((q) => q.price)).not.toEqual(c.map((q) => q.price));
  });

  it('yields one quote per symbol per step, starting at simulatedStart, on the step clock', () => {
    const quotes = [...simulatedQuotes(7, SYMBOLS, 1_700_000_000_000, 3, 1000)];
    expect(quotes).toHaveLength(3 * SYMBOLS.length);
    expect(quotes.slice(0, SYMBOLS.length)).toEqual(
      SYMBOLS.map((s) => ({ symbol: s.symbol, price: s.simulatedStart, ts: 1_700_000_000_000 })),
    );
    expect(quotes[SYMBOLS.length]!.ts).toBe(1_700_000_001_000);
    expect(quotes.at(-1)!.ts).toBe(1_700_000_002_000);
  });

  it('keeps each symbol walk independent of the others in the list', () => {
    const gold = SYMBOLS.filter((s) => s.symbol === 'XAUUSD');
    const alone = [...simulatedQuotes(42, gold, 0, 200, 1000)].map((q) => q.price);
    const together = [...simulatedQuotes(42, [...SYMBOLS].reverse(), 0, 200, 1000)]
      .filter((q) => q.symbol === 'XAUUSD')
      .map((q) => q.price);
    expect(together).toEqual(alone);
  });

  it('prints every price in its symbol scale and never at or below zero', () => {
    // A one-dollar symbol stepping a year at a time (±35% a step) sinks to the one-cent floor.
    const tiny: SymbolSpec = { ...SYMBOLS[0]!, symbol: 'TINY', scale: 2, simulatedStart: '1.00' };
    const specs = [...SYMBOLS, tiny];
    const byScale = new Map(specs.map((s) => [s.symbol, s.scale]));
    const wrong: Quote[] = [];
    let lowestTiny = Infinity;
    for (const quote of simulatedQuotes(1, specs, 0, 20_000, 365 * 24 * 60 * 60_000)) {
      const ok =
        /^\d+\.\d+$/.test(quote.price) &&
        decimals(quote.price) === byScale.get(quote.symbol) &&
        Number(quote.price) > 0;
      if (!ok) {
        wrong.push(quote);
      }
      if (quote.symbol === 'TINY') {
        lowestTiny = Math.min(lowestTiny, Number(quote.price));
      }
    }
    expect(wrong).toEqual([]);
    expect(lowestTiny).toBe(0.01); // it did hit the floor of one minor unit
  });

  it('moves like a market: small steps, real drift over many', () => {
    const prices = [...simulatedQuotes(42, SYMBOLS.slice(0, 1), 0, 86_400, 1000)].map((q) =>
      Number(q.price),
    );
    const steps = prices.slice(1).map((p, i) => Math.abs(p / prices[i]! - 1));
    expect(Math.max(...steps)).toBeLessThan(0.002);
    expect(new Set(prices).size).toBeGreaterThan(1000);
  });

  // Its speed is measured by `npm run bench:candles`, not here: a timed test fails on a busy host.
  it('yields one quote per symbol and interval over a long backfill range', () => {
    let count = 0;
    for (const quote of simulatedQuotes(42, SYMBOLS, 0, 200_000, 1000)) {
      count += quote.price.length > 0 ? 1 : 0;
    }
    expect(count).toBe(1_000_000);
  });
});

describe('SimulatedProvider', () => {
  afterEach(() => jest.useRealTimers());

  it('streams the generator prices at ticksPerSecond per symbol, stamped by the clock', async () => {
    jest.useFakeTimers();
    let clock = 1_000;
    const provider = new SimulatedProvider({ seed: 42, ticksPerSecond: 5 }, SYMBOLS, {
      logger: silent,
      now: () => clock,
    });
    const received: Quote[] = [];
    await provider.start((q) => received.push(q));
    for (let i = 0; i < 10; i++) {
      clock += 200;
      jest.advanceTimersByTime(200);
    }
    await provider.stop();
    jest.advanceTimersByTime(1000);

    expect(received).toHaveLength(10 * SYMBOLS.length);
    const expected = [...simulatedQuotes(42, SYMBOLS, 1_200, 10, 200)];
    expect(received).toEqual(expected);
  });

  it('walks on from the prices it resumes from, and from simulatedStart where there is none', async () => {
    jest.useFakeTimers();
    const [gold, silver] = [SYMBOLS[0]!, SYMBOLS[1]!];
    const provider = new SimulatedProvider(
      {
        seed: 7,
        ticksPerSecond: 10,
        resumeFrom: { [gold.symbol]: '1234.5', [silver.symbol]: 'x' },
      },
      [gold, silver],
      { logger: silent, now: () => 0 },
    );
    const received: Quote[] = [];
    await provider.start((q) => received.push(q));
    jest.advanceTimersByTime(1000);
    await provider.stop();

    const prices = (symbol: string) =>
      received.filter((q) => q.symbol === symbol).map((q) => Number(q.price));
    expect(received[0]!.price).toBe(`1234.${'5'.padEnd(gold.scale, '0')}`);
    expect(Math.max(...prices(gold.symbol).map((p) => Math.abs(p / 1234.5 - 1)))).toBeLessThan(
      0.01,
    );
    expect(received[1]!.price).toBe([...simulatedQuotes(7, [silver], 0, 1, 100)][0]!.price);
  });

  it('keeps streaming when the listener throws', async () => {
    jest.useFakeTimers();
    const provider = new SimulatedProvider({ seed: 1, ticksPerSecond: 10 }, SYMBOLS.slice(0, 1), {
      logger: silent,
    });
    let calls = 0;
    await provider.start(() => {
      calls += 1;
      throw new Error('listener bug');
    });
    jest.advanceTimersByTime(300);
    await provider.stop();
    expect(calls).toBe(3);
    expect(silent.error).toHaveBeenCalled();
  });
});
