import { isTransientDatabaseError } from './transient-errors';

interface Pending<I, O> {
  input: I;
  resolve: (output: O) => void;
  reject: (error: unknown) => void;
}

/**
 * Coalesces the calls made during one turn of the event loop into one call of `flush`, which
 * answers the inputs in order. Under load many requests reach the same statement in the same
 * turn (their previous round trips came back in one socket read), and one multi-row statement
 * costs one round trip and one commit instead of one each. A lone call waits only for the end of
 * the current turn (setImmediate). If `flush` fails, each call is flushed again on its own, so
 * one bad input fails alone; unless the database is away, which fails the batch at once.
 */
export class MicroBatcher<I, O> {
  private queue: Pending<I, O>[] = [];

  constructor(
    private readonly flush: (inputs: I[]) => Promise<O[]>,
    private readonly maxSize = 500,
  ) {}

  run(input: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      if (this.queue.push({ input, resolve, reject }) === 1) {
        setImmediate(() => this.drain());
      }
    });
  }

  private drain(): void {
    const queued = this.queue;
    this.queue = [];
    for (let start = 0; start < queued.length; start += this.maxSize) {
      void this.settle(queued.slice(start, start + this.maxSize));
    }
  }

  private async settle(batch: Pending<I, O>[]): Promise<void> {
    let outputs: O[];
    try {
      outputs = await this.flush(batch.map((pending) => pending.input));
    } catch (error) {
      if (batch.length > 1 && !isTransientDatabaseError(error)) {
        batch.forEach((pending) => void this.settle([pending]));
      } else {
        batch.forEach((pending) => pending.reject(error));
      }

      return;
    }
    if (outputs.length !== batch.length) {
      const error = new Error(
        `a batch of ${batch.length} was answered with ${outputs.length} results`,
      );
      batch.forEach((pending) => pending.reject(error));

      return;
    }
    batch.forEach((pending, i) => pending.resolve(outputs[i]!));
  }
}
