import { resumePrices } from './resume-prices';

const MINUTE = 60_000;
const NOW = 1_000 * MINUTE;
const tick = (symbol: string, price: string, ts: number) => ({ symbol, price, ts, seq: 1 });
const bar = (symbol: string, close: string, ms: number) => ({
  symbol,
  time: ms / 1000,
  open: close,
  high: close,
  low: close,
  close,
  tickCount: 60,
});

describe('resumePrices', () => {
  it("continues from a backfill's last bar when it began a bar or more after the last tick", () => {
    expect(
      resumePrices(
        [tick('XAUUSD', '2650.00', NOW - 3 * MINUTE)],
        [bar('XAUUSD', '2712.34', NOW - MINUTE), bar('EURUSD', '1.07654', NOW - MINUTE)],
      ),
    ).toEqual({ XAUUSD: '2712.34', EURUSD: '1.07654' });
  });

  it('keeps the last tick while the newest bar is the one the live feed was filling, or the next', () => {
    expect(
      resumePrices(
        [
          tick('XAUUSD', '2650.10', NOW - MINUTE + 500),
          tick('EURUSD', '1.08000', NOW - MINUTE - 1000),
        ],
        [bar('XAUUSD', '2650.00', NOW - MINUTE), bar('EURUSD', '1.07000', NOW - MINUTE)],
      ),
    ).toEqual({ XAUUSD: '2650.10', EURUSD: '1.08000' });
  });

  it('is empty without ticks or history (every symbol at its simulatedStart)', () => {
    expect(resumePrices([], [])).toEqual({});
  });
});
