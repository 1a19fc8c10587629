import { describe, expect, it } from 'vitest';
import { mergeBar, mergeHistory, type Candle } from './bars';

const bar = (time: number, close: string, tickCount = 1): Candle => ({
  time,
  open: '1.00',
  high: close,
  low: '1.00',
  close,
  tickCount,
});

describe('mergeBar', () => {
  it('replaces the forming bar and appends the next bucket', () => {
    const series = [bar(60, '1.10'), bar(120, '1.20')];
    expect(mergeBar(series, bar(120, '1.25', 2))).toEqual([bar(60, '1.10'), bar(120, '1.25', 2)]);
    expect(mergeBar(series, bar(180, '1.30'))).toEqual([...series, bar(180, '1.30')]);
  });

  it('returns the same series for a repeat or an older bar', () => {
    const series = [bar(60, '1.10'), bar(120, '1.20')];
    expect(mergeBar(series, bar(120, '1.20'))).toBe(series);
    expect(mergeBar(series, bar(60, '9.99'))).toBe(series);
  });

  it('starts a series from nothing', () => {
    expect(mergeBar([], bar(60, '1.10'))).toEqual([bar(60, '1.10')]);
  });
});

describe('mergeHistory', () => {
  it('keeps older bars and takes the refetched ones from their first bucket on', () => {
    const series = [bar(60, '1.10'), bar(120, '1.20'), bar(180, '1.30')];
    const fetched = [bar(180, '1.35', 4), bar(240, '1.40')];
    expect(mergeHistory(series, fetched)).toEqual([
      bar(60, '1.10'),
      bar(120, '1.20'),
      bar(180, '1.35', 4),
      bar(240, '1.40'),
    ]);
    expect(mergeHistory(series, [])).toEqual(series);
  });
});
