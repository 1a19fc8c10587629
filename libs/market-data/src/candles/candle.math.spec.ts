import type { Tick } from '../tick';
import { TIMEFRAME_NAMES, type Timeframe } from '../timeframes';
import { aggregate, BarStream, compareDecimal, foldInto, barOf, type Bar } from './candle.math';

const T0 = Date.UTC(2030, 0, 1); // a Tuesday 00:00 UTC: the start of a bucket of every timeframe
const SECOND = 1000;

function ticks(...points: [offsetMs: number, price: string][]): Tick[] {
  return points.map(([offset, price], i) => ({
    symbol: 'XAUUSD',
    price,
    ts: T0 + offset,
    seq: i + 1,
  }));
}

const ohlc = (bar: Bar): string =>
  `${bar.open} ${bar.high} ${bar.low} ${bar.close} x${bar.tickCount}`;

describe('compareDecimal', () => {
  it('orders by magnitude, not by characters', () => {
    expect(compareDecimal('999.99', '1000.00')).toBeLessThan(0);
    expect(compareDecimal('0.5', '10')).toBeLessThan(0);
    expect(compareDecimal('31.250', '31.249')).toBeGreaterThan(0);
    expect(compareDecimal('95000.00', '95000.00')).toBe(0);
  });
});

describe('aggregate', () => {
  it('folds the ticks of one minute into one bar: first opens, extremes, last closes', () => {
    const bars = aggregate(
      ticks(
        [0, '2650.00'],
        [10 * SECOND, '2651.50'],
        [20 * SECOND, '2649.25'],
        [59_999, '2650.75'],
      ),
      '1m',
    );

    expect(bars.map(ohlc)).toEqual(['2650.00 2651.50 2649.25 2650.75 x4']);
    expect(bars[0]).toMatchObject({ bucket: T0, firstSeq: 1, lastSeq: 4 });
  });

  it('starts a new bar exactly at the bucket boundary', () => {
    const sequence = ticks([59_999, '10.00'], [60_000, '11.00'], [119_999, '9.00']);

    expect(aggregate(sequence, '1m').map((b) => [b.bucket - T0, ohlc(b)])).toEqual([
      [0, '10.00 10.00 10.00 10.00 x1'],
      [60_000, '11.00 11.00 9.00 9.00 x2'],
    ]);
    expect(aggregate(sequence, '5m').map(ohlc)).toEqual(['10.00 11.00 9.00 9.00 x3']);
  });

  it('buckets the same ticks into each of the six timeframes', () => {
    const at = [
      0,
      59_999,
      60_000,
      300 * SECOND,
      900 * SECOND,
      3600 * SECOND,
      4 * 3600 * SECOND,
      86_400 * SECOND - 1,
      86_400 * SECOND,
    ];
    const sequence = ticks(...at.map((offset, i): [number, string] => [offset, `${100 + i}.00`]));
    const starts = (timeframe: Timeframe): number[] =>
      aggregate(sequence, timeframe).map((bar) => (bar.bucket - T0) / SECOND);

    expect(Object.fromEntries(TIMEFRAME_NAMES.map((tf) => [tf, starts(tf)]))).toEqual({
      '1m': [0, 60, 300, 900, 3600, 14_400, 86_340, 86_400],
      '5m': [0, 300, 900, 3600, 14_400, 86_100, 86_400],
      '15m': [0, 900, 3600, 14_400, 85_500, 86_400],
      '1h': [0, 3600, 14_400, 82_800, 86_400],
      '4h': [0, 14_400, 72_000, 86_400],
      '1d': [0, 86_400],
    });
    expect(aggregate(sequence, '1d').map(ohlc)).toEqual([
      '100.00 107.00 100.00 107.00 x8',
      '108.00 108.00 108.00 108.00 x1',
    ]);
    expect(aggregate(sequence, '4h').map(ohlc)).toEqual([
      '100.00 105.00 100.00 105.00 x6',
      '106.00 106.00 106.00 106.00 x1',
      '107.00 107.00 107.00 107.00 x1',
      '108.00 108.00 108.00 108.00 x1',
    ]);
  });

  it('gives the same bars whatever order the ticks arrive in (open and close follow seq)', () => {
    const sequence = ticks(
      ...Array.from({ length: 600 }, (_, i): [number, string] => [
        i * 997,
        (2600 + ((i * 7919) % 101)).toFixed(2),
      ]),
    );
    const shuffled = [...sequence].sort((a, b) => ((a.seq * 31) % 17) - ((b.seq * 31) % 17));

    for (const timeframe of TIMEFRAME_NAMES) {
      expect(aggregate(shuffled, timeframe)).toEqual(aggregate(sequence, timeframe));
      expect(aggregate([...sequence].reverse(), timeframe)).toEqual(aggregate(sequence, timeframe));
    }
  });
});

describe('foldInto', () => {
  it('makes a late tick with a lower sequence the open, never the close', () => {
    const [early, late] = ticks([1000, '50.00'], [2000, '52.00']);
    const bar = barOf(late!, '1m');
    foldInto(bar, early!);

    expect(ohlc(bar)).toBe('50.00 52.00 50.00 52.00 x2');
    expect(bar).toMatchObject({ firstSeq: 1, lastSeq: 2 });
  });
});

describe('BarStream', () => {
  it('emits the same bars as aggregate for every timeframe, per symbol', () => {
    const sequence = ticks(
      ...Array.from({ length: 3000 }, (_, i): [number, string] => [
        i * 61 * SECOND,
        (1 + ((i * 37) % 13) / 100).toFixed(5),
      ]),
    );
    const other = sequence.map((tick) => ({ ...tick, symbol: 'EURUSD' }));
    const stream = new BarStream();
    const emitted = [];
    for (let i = 0; i < sequence.length; i++) {
      stream.add(sequence[i]!);
      stream.add(other[i]!);
      if (i % 500 === 0) {
        emitted.push(...stream.takeClosed());
      }
    }
    emitted.push(...stream.takeAll());

    for (const symbol of ['XAUUSD', 'EURUSD']) {
      for (const timeframe of TIMEFRAME_NAMES) {
        const mine = emitted
          .filter((bar) => bar.symbol === symbol && bar.timeframe === timeframe)
          .map(({ symbol: _s, timeframe: _t, ...bar }) => bar);
        expect(mine).toEqual(aggregate(symbol === 'XAUUSD' ? sequence : other, timeframe));
      }
    }
    expect(stream.takeAll()).toEqual([]);
  });
});
