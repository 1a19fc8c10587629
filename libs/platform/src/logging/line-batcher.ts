import type { DestinationStream } from 'pino';

/** What a LineBatcher needs of the stream it feeds: pino.destination (sonic-boom) has it all. */
export interface LineSink {
  /** Set once the stream has ended (sonic-boom sets it; its type declarations omit it). */
  readonly destroyed?: boolean;
  write(data: string): boolean;
  flush(callback?: (error?: Error) => void): void;
  flushSync(): void;
}

/**
 * Keeps log lines in an array and hands them to `sink` joined, once `batchChars` characters wait
 * or every `flushMs`. sonic-boom appends each write to one string and measures that whole string
 * again (`Buffer.byteLength`, flattening it first), so while a write was in flight every line cost
 * time in proportion to the lines already waiting. Joined here, the sink does that once per
 * batch.
 */
export class LineBatcher implements DestinationStream {
  private lines: string[] = [];
  private chars = 0;

  constructor(
    private readonly sink: LineSink,
    private readonly batchChars: number,
    flushMs: number,
  ) {
    setInterval(() => this.handOver(), flushMs).unref();
  }

  write(line: string): void {
    this.lines.push(line);
    this.chars += line.length;
    if (this.chars >= this.batchChars) {
      this.handOver();
    }
  }

  /** Hands over what waits; `callback` runs as the sink's flush would (pino's `logger.flush`). */
  flush(callback?: (error?: Error) => void): void {
    this.handOver();
    this.sink.flush(callback);
  }

  /** Writes everything out before returning: for the process's last moments. */
  flushSync(): void {
    this.handOver();
    if (!this.sink.destroyed) {
      this.sink.flushSync();
    }
  }

  private handOver(): void {
    if (this.lines.length === 0 || this.sink.destroyed) {
      return;
    }
    const batch = this.lines.length === 1 ? this.lines[0] : this.lines.join('');
    this.lines = [];
    this.chars = 0;
    this.sink.write(batch);
  }
}

/**
 * Writes out the lines still waiting in `lines` when `owner` (the process) ends: pino flushes its
 * own destination then, but cannot see lines held in front of it.
 */
export function flushOnExit(
  lines: LineBatcher,
  owner: Pick<NodeJS.EventEmitter, 'once'> = process,
): void {
  owner.once('beforeExit', () => lines.flush());
  owner.once('exit', () => lines.flushSync());
}
