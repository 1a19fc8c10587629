import {
  PRICES_NAMESPACE,
  PricesEvent,
  type CandlesRequest,
  type PricesClientEvents,
  type PricesServerEvents,
} from '@bourse/market-data/contract';
import { io, type Socket } from 'socket.io-client';
import type { Candle } from './bars';
import { SequenceTracker, type Tick } from './sequence';

type PricesSocket = Socket<PricesServerEvents, PricesClientEvents>;

export interface StreamListener {
  /** A fresh snapshot of some symbols (on connect, on reconnect, after a gap). */
  snapshot?(ticks: Tick[]): void;
  tick?(tick: Tick): void;
  /** Connected again after a drop: ticks and bars of the outage were missed. */
  reconnected?(): void;
  connection?(connected: boolean): void;
}

/**
 * The `/prices` namespace for the whole app, typed by the contract in libs/market-data: one
 * socket, every symbol subscribed, snapshot-then-stream. On every (re)connect it subscribes again
 * (the server forgets a dropped socket's subscriptions) and takes the ack's snapshot as the
 * baseline; a `seq` gap on a symbol asks for a fresh snapshot of it; ticks not newer than what
 * is shown are dropped. Candle series are subscribed again on reconnect too.
 */
export class PriceStream {
  readonly socket: PricesSocket;
  private readonly tracker = new SequenceTracker();
  private readonly listeners = new Set<StreamListener>();
  private readonly series = new Map<string, { request: CandlesRequest; bar(b: Candle): void }>();
  private connectedBefore = false;

  constructor(
    origin: string,
    private readonly symbols: readonly string[],
  ) {
    this.socket = io(`${origin}${PRICES_NAMESPACE}`, { transports: ['websocket'] });
    this.socket.on('connect', () => this.onConnect());
    this.socket.on('disconnect', () => this.notify((l) => l.connection?.(false)));
    this.socket.on(PricesEvent.Tick, (tick) => this.onTick(tick));
    this.socket.on(PricesEvent.Candle, (update) => {
      this.series.get(seriesKey(update))?.bar(update.bar);
    });
  }

  listen(listener: StreamListener): () => void {
    this.listeners.add(listener);

    return () => this.listeners.delete(listener);
  }

  /** Live bars of one series: the forming bar from the ack, then every `candle` update. */
  watchCandles(request: CandlesRequest, bar: (b: Candle) => void): () => void {
    const key = seriesKey(request);
    this.series.set(key, { request, bar });
    if (this.socket.connected) {
      this.subscribeCandles(request);
    }

    return () => {
      this.series.delete(key);
      this.socket.emit(PricesEvent.UnsubscribeCandles, request, () => undefined);
    };
  }

  close(): void {
    this.socket.close();
  }

  private onConnect(): void {
    this.notify((l) => l.connection?.(true));
    this.subscribe(this.symbols);
    for (const { request } of this.series.values()) {
      this.subscribeCandles(request);
    }
    if (this.connectedBefore) {
      this.notify((l) => l.reconnected?.());
    }
    this.connectedBefore = true;
  }

  private onTick(tick: Tick): void {
    const verdict = this.tracker.accept(tick);
    if (verdict === 'stale') {
      return;
    }
    this.notify((l) => l.tick?.(tick));
    if (verdict === 'gap') {
      this.subscribe([tick.symbol]);
    }
  }

  // `subscribe` is idempotent: asking again only answers a fresh snapshot.
  private subscribe(symbols: readonly string[]): void {
    this.socket.emit(PricesEvent.Subscribe, { symbols: [...symbols] }, (reply) => {
      if (reply.ok) {
        this.tracker.reset(reply.snapshot);
        this.notify((l) => l.snapshot?.(reply.snapshot));
      }
    });
  }

  private subscribeCandles(request: CandlesRequest): void {
    this.socket.emit(PricesEvent.SubscribeCandles, request, (reply) => {
      if (reply.ok && reply.bar) {
        this.series.get(seriesKey(request))?.bar(reply.bar);
      }
    });
  }

  private notify(call: (listener: StreamListener) => void): void {
    this.listeners.forEach(call);
  }
}

const seriesKey = ({ symbol, timeframe }: CandlesRequest): string => `${symbol}:${timeframe}`;
