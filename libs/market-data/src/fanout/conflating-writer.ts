/** Delivered and conflated messages of one kind (ticks, candles), read by the metrics. */
export interface FanoutCounts {
  delivered: number;
  conflated: number;
}

/**
 * A message encoded once for every socket of a node: the Socket.IO packet and, for WebSocket
 * transports, the finished WebSocket frame (`wsPreEncodedFrame`, the same shortcut Socket.IO's
 * own broadcast takes). `seq` orders ticks against a snapshot.
 */
export interface EncodedMessage {
  data: string;
  options: { compress?: boolean; wsPreEncodedFrame?: unknown };
  counts: FanoutCounts;
  seq?: number;
}

/** The part of an Engine.IO connection (`socket.conn`) the writer uses. */
export interface EngineConnection {
  write(data: string, options: EncodedMessage['options'], callback?: () => void): unknown;
}

/**
 * Writes a socket may have outstanding before new ticks are conflated. More than one, so an event
 * loop that fell behind and handles several ticks of a symbol in one turn does not conflate for a
 * client that keeps up; few enough that a stalled socket holds a few KB at most.
 */
export const MAX_IN_FLIGHT = 32;

/**
 * Per-socket conflation. Engine.IO calls a write's callback once its transport has handed it on
 * (WebSocket: `ws` wrote it into the kernel's socket buffer; polling: the poll response was
 * written). With MAX_IN_FLIGHT writes outstanding, every new message replaces the pending one
 * with the same key (a symbol, a candle series). A client that stops reading fills its TCP window,
 * the callbacks stop, and the server holds at most MAX_IN_FLIGHT messages plus one per key:
 * memory is bounded by the subscriptions, not by time or tick rate.
 */
export class ConflatingWriter {
  private readonly pending = new Map<string, EncodedMessage>();
  /** Keys whose snapshot is being read: their messages wait so none precedes the snapshot. */
  private readonly held = new Map<string, number>();
  private inFlight = 0;
  private readonly onSent = (): void => {
    this.inFlight--;
    if (this.pending.size > 0) {
      this.flush();
    }
  };

  constructor(private readonly conn: EngineConnection) {}

  send(key: string, message: EncodedMessage): void {
    if (this.inFlight < MAX_IN_FLIGHT && this.pending.size === 0 && !this.held.has(key)) {
      this.inFlight++;
      message.counts.delivered++;
      this.conn.write(message.data, message.options, this.onSent);

      return;
    }
    const replaced = this.pending.get(key);
    if (replaced) {
      replaced.counts.conflated++;
    }
    this.pending.set(key, message);
    this.flush();
  }

  /** Holds a key's messages back until `release` (nested holds are counted). */
  hold(key: string): void {
    this.held.set(key, (this.held.get(key) ?? 0) + 1);
  }

  /** Ends a hold; a held message not newer than `afterSeq` (the snapshot's) is dropped. */
  release(key: string, afterSeq?: number): void {
    const count = (this.held.get(key) ?? 1) - 1;
    if (count > 0) {
      this.held.set(key, count);
    } else {
      this.held.delete(key);
    }
    const message = this.pending.get(key);
    if (message && afterSeq !== undefined && message.seq !== undefined && message.seq <= afterSeq) {
      message.counts.conflated++; // the snapshot already carries it
      this.pending.delete(key);
    }
    this.flush();
  }

  /** Forgets a key's pending message (after an unsubscribe). */
  drop(key: string): void {
    this.pending.delete(key);
  }

  get backlog(): { pending: number; inFlight: number } {
    return { pending: this.pending.size, inFlight: this.inFlight };
  }

  /** Writes pending messages while below MAX_IN_FLIGHT (the rest keep being conflated). */
  private flush(): void {
    for (const [key, message] of this.pending) {
      if (this.inFlight >= MAX_IN_FLIGHT) {
        return;
      }
      if (!this.held.has(key)) {
        this.pending.delete(key);
        this.inFlight++;
        message.counts.delivered++;
        this.conn.write(message.data, message.options, this.onSent);
      }
    }
  }
}
