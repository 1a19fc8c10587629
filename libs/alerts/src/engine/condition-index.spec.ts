import type { AlertRule, Operator } from '../alerts.types';
import { OPERATORS } from '../alerts.types';
import { toUnits } from '../decimal';
import { ConditionIndex, holds, type Sample } from './condition-index';

// A seeded generator (mulberry32): the same rules and samples on every run.
function random(seed: number): () => number {
  let a = seed;

  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;

    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const price = (next: () => number): string => (90 + Math.floor(next() * 2000) / 100).toFixed(2);

function rule(id: number, operator: Operator, next: () => number): AlertRule {
  const [a, b] = [price(next), price(next)].sort((x, y) => Number(x) - Number(y));

  return {
    id: String(id),
    userId: 'u',
    symbol: 'XAUUSD',
    operator,
    value: operator.startsWith('moving') ? (next() * 10).toFixed(2) : price(next),
    lower: a,
    upper: a === b ? (Number(b) + 0.01).toFixed(2) : b,
    bars: 1 + Math.floor(next() * 3),
    timeframe: '1m',
    frequency: 'every_time',
    minIntervalSeconds: 0,
    channels: [],
    status: 'active',
    revision: 1,
    armedAfterSeq: 0,
    armedAfterTs: 0,
    fireCount: 0,
    createdAt: new Date(0),
    updatedAt: new Date(0),
  };
}

describe('ConditionIndex', () => {
  it('finds exactly the rules that hold, whichever way the price moved', () => {
    const next = random(21);
    const rules = Array.from({ length: 1000 }, (_, i) =>
      rule(i, OPERATORS[i % OPERATORS.length]!, next),
    );
    const index = new ConditionIndex();
    rules.forEach((r) => index.add(r));
    rules.filter((_, i) => i % 7 === 0).forEach((r) => index.remove(r));
    const live = rules.filter((_, i) => i % 7 !== 0);
    const refs = [undefined, toUnits('95.00'), toUnits('100.00'), toUnits('105.00')];

    for (let n = 0; n < 200; n += 1) {
      const ref = refs[n % refs.length];
      const sample: Sample = {
        prev: n % 11 === 0 ? undefined : toUnits(price(next)),
        cur: toUnits(price(next)),
        ref: (r) => (r.bars === 1 ? ref : undefined),
      };
      const found = index.candidates(sample);
      expect(new Set(found).size).toBe(found.length);
      const fired = found
        .filter((r) => holds(r, sample))
        .map((r) => r.id)
        .sort();
      const expected = live
        .filter((r) => holds(r, sample))
        .map((r) => r.id)
        .sort();
      expect(fired).toEqual(expected);
    }
    expect(index.size).toBe(live.length);
  });
});
