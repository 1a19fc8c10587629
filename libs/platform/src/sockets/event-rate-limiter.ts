/**
 * A token bucket per socket: `perSecond` events a second, bursts up to the same number. A socket
 * lives on one node, so a node-local count is exact and costs no Redis round trip per event.
 */
export class EventRateLimiter {
  private tokens: number;
  private refilledAt: number;

  constructor(
    readonly perSecond: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = perSecond;
    this.refilledAt = now();
  }

  tryTake(): boolean {
    const now = this.now();
    this.tokens = Math.min(
      this.perSecond,
      this.tokens + ((now - this.refilledAt) * this.perSecond) / 1000,
    );
    this.refilledAt = now;
    if (this.tokens < 1) {
      return false;
    }
    this.tokens -= 1;

    return true;
  }
}
