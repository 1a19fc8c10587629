/**
 * Runs at most `limit` tasks at once and queues the rest in memory. A mass reconnect opens
 * thousands of streams at once; queued here they wait their turn instead of timing out while
 * waiting for one of the pool's database connections.
 */
export class ConcurrencyGate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running += 1;
    }
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) {
        next(); // the slot passes to the next task as is
      } else {
        this.running -= 1;
      }
    }
  }
}
