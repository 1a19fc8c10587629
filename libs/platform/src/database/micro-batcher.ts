import { isTransientDatabaseError } from './transient-errors';

interface Pending<I, O> {
  input: I;
  resolve: (output: O) => void;
  reject: (error: unknown) => void;
}

export interface MicroBatcherOptions {
  /** Most inputs per flush. */
  maxSize?: number;
  /**
   * Most flushes running at once. While that many run, calls queue and go out together when one
   * finishes, so under load batches grow instead of round trips. Unlimited by default: each turn's
   * calls are flushed at the end of that turn, whatever is running.
   */
  maxInFlight?: number;
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
  private readonly queue: Pending<I, O>[] = [];
  private readonly maxSize: number;
  private readonly maxInFlight: number;
  private inFlight = 0;
  private scheduled = false;

  constructor(
    private readonly flush: (inputs: I[]) => Promise<O[]>,
    { maxSize = 500, maxInFlight = Infinity }: MicroBatcherOptions = {},
  ) {
    this.maxSize = maxSize;
    this.maxInFlight = maxInFlight;
  }

  run(input: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ input, resolve, reject });
      this.schedule();
    });
  }

  /** A drain at the end of this turn, unless one is due already or no flush may start. */
  private schedule(): void {
    if (!this.scheduled && this.queue.length > 0 && this.inFlight < this.maxInFlight) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.drain();
      });
    }
  }

  private drain(): void {
    while (this.queue.length > 0 && this.inFlight < this.maxInFlight) {
      this.inFlight += 1;
      void this.settle(this.queue.splice(0, this.maxSize)).finally(() => {
        this.inFlight -= 1;
        this.schedule();
      });
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
