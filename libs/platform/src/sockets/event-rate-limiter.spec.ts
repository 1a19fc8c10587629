import { EventRateLimiter } from './event-rate-limiter';

describe('EventRateLimiter', () => {
  let now = 0;
  const limiter = (perSecond: number): EventRateLimiter =>
    new EventRateLimiter(perSecond, () => now);

  beforeEach(() => {
    now = 1_000;
  });

  it('allows a burst of perSecond events, then refuses', () => {
    const bucket = limiter(3);
    expect([1, 2, 3, 4].map(() => bucket.tryTake())).toEqual([true, true, true, false]);
  });

  it('refills at perSecond, never above the burst', () => {
    const bucket = limiter(4);
    for (let i = 0; i < 4; i++) {
      bucket.tryTake();
    }
    now += 250;
    expect(bucket.tryTake()).toBe(true);
    expect(bucket.tryTake()).toBe(false);
    now += 60_000;
    expect([1, 2, 3, 4, 5].map(() => bucket.tryTake())).toEqual([true, true, true, true, false]);
  });

  it('does not count refused events against the client', () => {
    const bucket = limiter(2);
    bucket.tryTake();
    bucket.tryTake();
    for (let i = 0; i < 10; i++) {
      expect(bucket.tryTake()).toBe(false);
    }
    now += 500;
    expect(bucket.tryTake()).toBe(true);
  });
});
