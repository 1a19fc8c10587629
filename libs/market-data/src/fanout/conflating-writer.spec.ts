import {
  ConflatingWriter,
  MAX_IN_FLIGHT,
  type EncodedMessage,
  type FanoutCounts,
} from './conflating-writer';

/** An Engine.IO connection whose transport takes writes only when told to. */
class FakeConnection {
  readonly written: string[] = [];
  private callbacks: (() => void)[] = [];

  write(data: string, _options: unknown, callback?: () => void): void {
    this.written.push(data);
    if (callback) {
      this.callbacks.push(callback);
    }
  }

  /** The transport handed everything written so far to the kernel. */
  drain(): void {
    this.callbacks.splice(0).forEach((callback) => callback());
  }
}

describe('ConflatingWriter', () => {
  let counts: FanoutCounts;
  let conn: FakeConnection;
  let writer: ConflatingWriter;
  const message = (data: string, seq?: number): EncodedMessage => ({
    data,
    options: {},
    counts,
    seq,
  });

  beforeEach(() => {
    counts = { delivered: 0, conflated: 0 };
    conn = new FakeConnection();
    writer = new ConflatingWriter(conn);
  });

  it('writes at once while the transport keeps up', () => {
    writer.send('a', message('a1'));
    conn.drain();
    writer.send('a', message('a2'));
    expect(conn.written).toEqual(['a1', 'a2']);
    expect(counts).toEqual({ delivered: 2, conflated: 0 });
  });

  it('tolerates a few outstanding writes, then keeps only the newest message per key', () => {
    for (let i = 1; i <= MAX_IN_FLIGHT; i++) {
      writer.send('a', message(`a${i}`));
    }
    expect(counts).toEqual({ delivered: MAX_IN_FLIGHT, conflated: 0 });
    for (let i = 1; i <= 1000; i++) {
      writer.send('a', message(`x${i}`));
      writer.send('b', message(`b${i}`));
    }
    expect(writer.backlog).toEqual({ pending: 2, inFlight: MAX_IN_FLIGHT });
    conn.drain();
    expect(conn.written.slice(MAX_IN_FLIGHT)).toEqual(['x1000', 'b1000']);
    expect(counts).toEqual({ delivered: MAX_IN_FLIGHT + 2, conflated: 1998 });
  });

  it('holds a key during its snapshot and drops what the snapshot already covers', () => {
    writer.hold('a');
    writer.send('a', message('a5', 5));
    writer.send('b', message('b1', 1));
    expect(conn.written).toEqual(['b1']);
    conn.drain();
    writer.release('a', 5);
    expect(conn.written).toEqual(['b1']);

    writer.hold('a');
    writer.send('a', message('a7', 7));
    writer.release('a', 6);
    expect(conn.written).toEqual(['b1', 'a7']);
  });

  it('forgets a dropped key', () => {
    writer.hold('b');
    writer.send('b', message('b1'));
    writer.drop('b');
    writer.release('b');
    expect(conn.written).toEqual([]);
  });
});
