import { EventEmitter } from 'node:events';
import { flushOnExit, LineBatcher, type LineSink } from './line-batcher';

/** A sink that records what it is handed, as sonic-boom would take it. */
function recordingSink(): LineSink & { writes: string[]; calls: string[]; destroyed: boolean } {
  const sink = {
    writes: [] as string[],
    calls: [] as string[],
    destroyed: false,
    write: (data: string) => {
      sink.writes.push(data);

      return true;
    },
    flush: (callback?: (error?: Error) => void) => {
      sink.calls.push('flush');
      callback?.();
    },
    flushSync: () => {
      sink.calls.push('flushSync');
    },
  };

  return sink;
}

describe('LineBatcher', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('hands lines over joined, in order, once the batch size is reached', () => {
    const sink = recordingSink();
    const lines = new LineBatcher(sink, 10, 100);
    lines.write('aaaa\n');
    lines.write('bbb\n');
    expect(sink.writes).toEqual([]);
    lines.write('cc\n');
    expect(sink.writes).toEqual(['aaaa\nbbb\ncc\n']);
    lines.write('d\n');
    expect(sink.writes).toEqual(['aaaa\nbbb\ncc\n']);
  });

  it('hands over what waits every flush interval, and nothing when nothing waits', () => {
    const sink = recordingSink();
    const lines = new LineBatcher(sink, 4096, 100);
    lines.write('one\n');
    jest.advanceTimersByTime(99);
    expect(sink.writes).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(sink.writes).toEqual(['one\n']);
    jest.advanceTimersByTime(500);
    expect(sink.writes).toEqual(['one\n']);
  });

  it('flushes through to the sink, asynchronously or before returning', () => {
    const sink = recordingSink();
    const lines = new LineBatcher(sink, 4096, 100);
    const done = jest.fn();
    lines.write('a\n');
    lines.flush(done);
    expect(sink.writes).toEqual(['a\n']);
    expect(sink.calls).toEqual(['flush']);
    expect(done).toHaveBeenCalledTimes(1);
    lines.write('b\n');
    lines.flushSync();
    expect(sink.writes).toEqual(['a\n', 'b\n']);
    expect(sink.calls).toEqual(['flush', 'flushSync']);
  });

  it('leaves an ended sink alone (pino ends it on beforeExit; exit flushes again)', () => {
    const sink = recordingSink();
    const lines = new LineBatcher(sink, 4096, 100);
    lines.write('late\n');
    sink.destroyed = true;
    expect(() => lines.flushSync()).not.toThrow();
    expect(sink.writes).toEqual([]);
    expect(sink.calls).toEqual([]);
  });
});

describe('flushOnExit', () => {
  it('writes out the waiting lines when the process is about to exit, and when it exits', () => {
    const sink = recordingSink();
    const lines = new LineBatcher(sink, 4096, 60_000);
    const processLike = new EventEmitter();
    flushOnExit(lines, processLike);
    lines.write('natural end\n');
    processLike.emit('beforeExit');
    expect(sink.writes).toEqual(['natural end\n']);
    expect(sink.calls).toEqual(['flush']);
    lines.write('process.exit\n');
    processLike.emit('exit');
    expect(sink.writes).toEqual(['natural end\n', 'process.exit\n']);
    expect(sink.calls).toEqual(['flush', 'flushSync']);
  });
});
