import { describe, expect, it } from 'vitest';
import { secondsLeft, toMinor } from './AuctionsPage';

describe('secondsLeft', () => {
  const answer = { endsAt: '2026-12-07T10:00:30.000Z', serverNow: '2026-12-07T10:00:00.000Z' };

  it('counts down from the server’s clock whatever the device clock says', () => {
    // Devices an hour behind and a day ahead, each 10.2 s after the answer arrived.
    for (const receivedAt of [
      Date.parse('2026-12-07T09:00:00Z'),
      Date.parse('2026-12-08T10:00:00Z'),
    ]) {
      const live = { snapshot: answer, receivedAt };
      expect(secondsLeft(live, receivedAt)).toBe(30);
      expect(secondsLeft(live, receivedAt + 10_200)).toBe(20);
      expect(secondsLeft(live, receivedAt + 45_000)).toBe(0);
    }
  });

  it('restarts from each new answer, as after an extension', () => {
    const extended = { endsAt: '2026-12-07T10:01:20.000Z', serverNow: '2026-12-07T10:00:50.000Z' };
    expect(secondsLeft({ snapshot: extended, receivedAt: 5_000 }, 5_000)).toBe(30);
    // A local clock stepped backwards never adds time.
    expect(secondsLeft({ snapshot: extended, receivedAt: 5_000 }, 1_000)).toBe(30);
  });
});

describe('toMinor', () => {
  it('reads an amount with at most two decimals into minor units', () => {
    expect(['100', '100.5', '100.05', '0.99', ' 12.30 '].map(toMinor)).toEqual([
      '10000',
      '10050',
      '10005',
      '99',
      '1230',
    ]);
  });

  it('refuses anything else', () => {
    expect(['', '1.234', '-5', '1e3', '12,50', 'abc'].map(toMinor)).toEqual(
      Array(6).fill(undefined),
    );
  });
});
