import { describe, expect, it } from 'vitest';
import { SequenceTracker } from './sequence';

const tick = (symbol: string, seq: number) => ({ symbol, seq, price: '1.00', ts: seq * 1000 });

describe('SequenceTracker', () => {
  it('follows consecutive seqs per symbol from a snapshot', () => {
    const tracker = new SequenceTracker();
    tracker.reset([tick('XAUUSD', 10), tick('BTCUSD', 3)]);
    expect(tracker.accept(tick('XAUUSD', 11))).toBe('next');
    expect(tracker.accept(tick('BTCUSD', 4))).toBe('next');
    expect(tracker.accept(tick('XAUUSD', 12))).toBe('next');
  });

  it('reports a jump as a gap and continues from the new seq', () => {
    const tracker = new SequenceTracker();
    tracker.reset([tick('XAUUSD', 10)]);
    expect(tracker.accept(tick('XAUUSD', 14))).toBe('gap');
    expect(tracker.accept(tick('XAUUSD', 15))).toBe('next');
  });

  it('drops ticks not newer than what is shown', () => {
    const tracker = new SequenceTracker();
    tracker.reset([tick('XAUUSD', 10)]);
    expect(tracker.accept(tick('XAUUSD', 10))).toBe('stale');
    expect(tracker.accept(tick('XAUUSD', 9))).toBe('stale');
    expect(tracker.accept(tick('XAUUSD', 11))).toBe('next');
  });

  it('never moves the baseline back on an older snapshot', () => {
    const tracker = new SequenceTracker();
    tracker.reset([tick('XAUUSD', 10)]);
    tracker.reset([tick('XAUUSD', 8)]);
    expect(tracker.accept(tick('XAUUSD', 9))).toBe('stale');
    expect(tracker.accept(tick('XAUUSD', 11))).toBe('next');
  });

  it('takes the first tick of a symbol without a snapshot as the baseline', () => {
    const tracker = new SequenceTracker();
    expect(tracker.accept(tick('EURUSD', 500))).toBe('next');
    expect(tracker.accept(tick('EURUSD', 501))).toBe('next');
  });
});
