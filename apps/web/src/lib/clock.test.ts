import { describe, expect, it } from 'vitest';
import { ServerClock } from './clock';

describe('ServerClock', () => {
  it('is the local clock until a response is seen', () => {
    const clock = new ServerClock(() => 1_000_000);
    expect(clock.now()).toBe(1_000_000);
  });

  it('takes the offset from the Date header at the middle of the round trip', () => {
    let local = Date.parse('2026-12-07T10:00:00.000Z');
    const clock = new ServerClock(() => local);
    // The device is 30 s behind: the server said 10:00:30 for a request sent at 10:00:00.000.
    clock.observe(local, local + 100, 'Mon, 07 Dec 2026 10:00:30 GMT');
    expect(clock.offset).toBe(30_000 + 500 - 50);
    local += 10_000;
    expect(clock.now()).toBe(Date.parse('2026-12-07T10:00:40.450Z'));
  });

  it('keeps the sample with the shortest round trip and ignores unusable ones', () => {
    const clock = new ServerClock(() => 0);
    clock.observe(0, 2000, 'Thu, 01 Jan 1970 00:00:05 GMT');
    clock.observe(10_000, 10_020, 'Thu, 01 Jan 1970 00:00:15 GMT');
    clock.observe(20_000, 20_400, 'Thu, 01 Jan 1970 00:01:00 GMT');
    clock.observe(30_000, 30_010, null);
    clock.observe(40_000, 40_010, 'not a date');
    expect(clock.offset).toBe(15_000 + 500 - 10_010);
  });
});
