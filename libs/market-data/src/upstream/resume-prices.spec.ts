import { resumePrices } from './resume-prices';

const tick = (symbol: string, price: string, ts: number) => ({ symbol, price, ts, seq: 1 });
const bar = (symbol: string, close: string, time: number) => ({
  symbol,
  time,
  open: close,
  high: close,
  low: close,
  close,
  tickCount: 60,
});

describe('resumePrices', () => {
  it("continues from a backfill's last bar when it is newer than the last published tick", () => {
    expect(
      resumePrices(
        [tick('XAUUSD', '2650.00', 1_000_000)],
        [bar('XAUUSD', '2712.34', 2_000), bar('EURUSD', '1.07654', 60)],
      ),
    ).toEqual({ XAUUSD: '2712.34', EURUSD: '1.07654' });
  });

  it('keeps the last tick when the newest bar is the one the live feed was filling', () => {
    // The tick at 120.5 s fell into the bar of minute 120 s: the tick is the newer price.
    expect(
      resumePrices([tick('XAUUSD', '2650.10', 120_500)], [bar('XAUUSD', '2650.00', 120)]),
    ).toEqual({ XAUUSD: '2650.10' });
  });

  it('is empty without ticks or history (every symbol at its simulatedStart)', () => {
    expect(resumePrices([], [])).toEqual({});
  });
});
