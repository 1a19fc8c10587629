/**
 * Live connections per client address on this node. `tryAcquire` and `release` are paired by the
 * caller; a node-local count is enough because the limit protects this node's memory and file
 * descriptors (N nodes behind a load balancer admit up to N x the limit per address).
 */
export class ConnectionLimiter {
  private readonly counts = new Map<string, number>();

  constructor(readonly limit: number) {}

  isFull(address: string): boolean {
    return (this.counts.get(address) ?? 0) >= this.limit;
  }

  tryAcquire(address: string): boolean {
    const count = this.counts.get(address) ?? 0;
    if (count >= this.limit) {
      return false;
    }
    this.counts.set(address, count + 1);

    return true;
  }

  release(address: string): void {
    const count = (this.counts.get(address) ?? 0) - 1;
    if (count > 0) {
      this.counts.set(address, count);
    } else {
      this.counts.delete(address);
    }
  }
}
