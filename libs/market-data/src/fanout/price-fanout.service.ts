import { APP_CONFIG, MetricsService, REDIS, REDIS_SUBSCRIBER } from '@bourse/platform';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import type Redis from 'ioredis';
import { Counter, type Registry } from 'prom-client';
import type { Namespace, Socket } from 'socket.io';
import * as ws from 'ws';
import type { CandleUpdate } from '../candles/chart-bar';
import { MarketChannels, MarketKeys } from '../market.keys';
import type { Tick } from '../tick';
import { bucketStart } from '../timeframes';
import { ConflatingWriter, type EncodedMessage, type FanoutCounts } from './conflating-writer';
import {
  PricesErrorCode,
  PricesEvent,
  type SubscribeAck,
  type SubscribeCandlesAck,
  type UnsubscribeAck,
  type UnsubscribeCandlesAck,
} from './prices.events';
import {
  parseCandleSubscription,
  parseCandleUpdate,
  parseSymbols,
  parseTick,
} from './prices.protocol';
import type { MarketAppConfig } from '../market.config';

// Socket.IO's EVENT packet type (socket.io-parser's PacketType.EVENT).
const EVENT_PACKET = 2;
const RESUBSCRIBE_DELAY_MS = 1_000;

// `ws` builds a finished frame; typed here because @types/ws omits the static helper.
const buildFrame = (ws as unknown as { Sender: { frame(data: Buffer, options: object): unknown } })
  .Sender.frame;

const tickKey = (symbol: string): string => `t:${symbol}`;
const candleKey = (symbol: string, timeframe: string): string => `c:${symbol}:${timeframe}`;

class Session {
  readonly symbols = new Set<string>();
  readonly candles = new Set<string>();
  closed = false;

  constructor(readonly writer: ConflatingWriter) {}
}

/**
 * The live price fan-out of one api node. It SUBSCRIBEs once to the ticks and candles channels
 * and writes each message to the local sockets that asked for it, through a per-socket
 * ConflatingWriter: a tick crosses Redis once per node, is encoded once per node, and a slow
 * socket gets the newest price instead of a backlog. See the README's "Fan-out" section.
 */
@Injectable()
export class PriceFanout implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('PriceFanout');
  private readonly sessions = new Map<string, Session>();
  private readonly tickRooms = new Map<string, Set<Session>>();
  private readonly candleRooms = new Map<string, Set<Session>>();
  /** The last bar the candle flush published per `symbol:timeframe`, since this node started. */
  private readonly lastBars = new Map<string, CandleUpdate>();
  private readonly tickCounts: FanoutCounts = { delivered: 0, conflated: 0 };
  private readonly candleCounts: FanoutCounts = { delivered: 0, conflated: 0 };
  private readonly channels: { ticks: string; candles: string };
  private namespace?: Namespace;
  private resubscribeTimer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    @Inject(APP_CONFIG) config: MarketAppConfig,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(REDIS_SUBSCRIBER) private readonly subscriber: Redis,
    metrics: MetricsService,
  ) {
    this.channels = {
      ticks: MarketChannels.ticks(config.redis.keyPrefix),
      candles: MarketChannels.candles(config.redis.keyPrefix),
    };
    registerCounter(
      metrics.registry,
      'market_ticks_delivered_total',
      'Ticks written to sockets.',
      () => this.tickCounts.delivered,
    );
    registerCounter(
      metrics.registry,
      'market_ticks_conflated_total',
      'Ticks a slow socket never got because a newer price replaced them before it could be written.',
      () => this.tickCounts.conflated,
    );
  }

  onModuleInit(): void {
    this.subscriber.on('message', this.onMessage);
    this.listen();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.resubscribeTimer);
    this.subscriber.off('message', this.onMessage);
    // The platform quits the subscriber connection right after; a failing UNSUBSCRIBE is moot.
    await this.subscriber.unsubscribe(this.channels.ticks, this.channels.candles).catch(() => 0);
  }

  /** The namespace whose server encodes the packets (limits and auth: the platform's toolkit). */
  attach(namespace: Namespace): void {
    this.namespace = namespace;
  }

  open(socket: Socket): void {
    this.sessions.set(socket.id, new Session(new ConflatingWriter(socket.conn)));
  }

  close(socket: Socket): void {
    const session = this.sessions.get(socket.id);
    if (!session) {
      return;
    }
    session.closed = true;
    this.sessions.delete(socket.id);
    session.symbols.forEach((symbol) => leave(this.tickRooms, symbol, session));
    session.candles.forEach((key) => leave(this.candleRooms, key, session));
  }

  /**
   * Joins the symbols' rooms and acknowledges with their last prices. Ticks arriving while the
   * snapshot is read are held and sent after the ack unless the snapshot already covers them, so
   * a client sees strictly increasing `seq` from the snapshot on.
   */
  async subscribe(
    socket: Socket,
    payload: unknown,
    ack: ((reply: SubscribeAck) => void) | undefined,
  ): Promise<void> {
    const session = this.sessions.get(socket.id);
    const parsed = parseSymbols(payload);
    if (!session || !parsed.ok) {
      ack?.(parsed.ok ? unavailable('not connected') : parsed);

      return;
    }
    const { symbols, rejected } = parsed.value;
    for (const symbol of symbols) {
      session.writer.hold(tickKey(symbol));
      session.symbols.add(symbol);
      join(this.tickRooms, symbol, session);
    }
    let snapshot: Tick[] | undefined;
    try {
      snapshot = await this.snapshot(symbols);
    } catch (error) {
      this.logger.warn({ msg: 'price snapshot failed', err: error });
    }
    if (session.closed) {
      return;
    }
    // On failure the subscription stands (ticks flow); the client may subscribe again.
    ack?.(snapshot ? { ok: true, snapshot, rejected } : unavailable('prices are unavailable'));
    const seqs = new Map(snapshot?.map((tick) => [tick.symbol, tick.seq]));
    symbols.forEach((symbol) => session.writer.release(tickKey(symbol), seqs.get(symbol)));
  }

  unsubscribe(socket: Socket, payload: unknown): UnsubscribeAck {
    const session = this.sessions.get(socket.id);
    const parsed = parseSymbols(payload);
    if (!parsed.ok) {
      return parsed;
    }
    for (const symbol of parsed.value.symbols) {
      if (session?.symbols.delete(symbol)) {
        leave(this.tickRooms, symbol, session);
        session.writer.drop(tickKey(symbol));
      }
    }

    return { ok: true, rejected: parsed.value.rejected };
  }

  subscribeCandles(socket: Socket, payload: unknown): SubscribeCandlesAck {
    const session = this.sessions.get(socket.id);
    const parsed = parseCandleSubscription(payload);
    if (!parsed.ok) {
      return parsed;
    }
    if (!session) {
      return unavailable('not connected');
    }
    const key = candleKey(parsed.value.symbol, parsed.value.timeframe);
    session.candles.add(key);
    join(this.candleRooms, key, session);

    const last = this.lastBars.get(key)?.bar;
    // Only the bar of the current bucket is forming; an older one closed without a successor.
    const forming =
      last && last.time * 1000 === bucketStart(Date.now(), parsed.value.timeframe) ? last : null;

    return { ok: true, bar: forming };
  }

  unsubscribeCandles(socket: Socket, payload: unknown): UnsubscribeCandlesAck {
    const session = this.sessions.get(socket.id);
    const parsed = parseCandleSubscription(payload);
    if (!parsed.ok) {
      return parsed;
    }
    const key = candleKey(parsed.value.symbol, parsed.value.timeframe);
    if (session?.candles.delete(key)) {
      leave(this.candleRooms, key, session);
      session.writer.drop(key);
    }

    return { ok: true };
  }

  /** What the server holds for a socket beyond what the transport took: for tests and debugging. */
  backlogOf(socketId: string): { pending: number; inFlight: number } | undefined {
    return this.sessions.get(socketId)?.writer.backlog;
  }

  private async snapshot(symbols: string[]): Promise<Tick[]> {
    const values = await this.redis.hmget(MarketKeys.lastPrices, ...symbols);

    return values.flatMap((json) => (json === null ? [] : (parseTick(json) ?? [])));
  }

  private listen(): void {
    // Not awaited by boot: the api serves HTTP while Redis is away and subscribes once it is back
    // (after that, ioredis re-subscribes on every reconnect by itself).
    this.subscriber
      .subscribe(this.channels.ticks, this.channels.candles)
      .catch((error: unknown) => {
        if (this.stopped) {
          return;
        }
        this.logger.warn({ msg: 'price channels not subscribed, retrying', err: error });
        this.resubscribeTimer = setTimeout(() => this.listen(), RESUBSCRIBE_DELAY_MS).unref();
      });
  }

  private readonly onMessage = (channel: string, message: string): void => {
    if (channel === this.channels.ticks) {
      this.onTick(message);
    } else if (channel === this.channels.candles) {
      this.onCandle(message);
    }
  };

  private onTick(message: string): void {
    const tick = parseTick(message);
    if (!tick) {
      this.logger.warn({ msg: 'malformed tick dropped', message: message.slice(0, 200) });

      return;
    }
    const room = this.tickRooms.get(tick.symbol);
    if (!room) {
      return;
    }
    const encoded = this.encode(PricesEvent.Tick, tick, this.tickCounts, tick.seq);
    const key = tickKey(tick.symbol);
    room.forEach((session) => session.writer.send(key, encoded));
  }

  private onCandle(message: string): void {
    const update = parseCandleUpdate(message);
    if (!update) {
      this.logger.warn({ msg: 'malformed candle dropped', message: message.slice(0, 200) });

      return;
    }
    const key = candleKey(update.symbol, update.timeframe);
    // A flush may publish a late tick's older bucket after the forming one: keep the newest.
    if ((this.lastBars.get(key)?.bar.time ?? -Infinity) <= update.bar.time) {
      this.lastBars.set(key, update);
    }
    const room = this.candleRooms.get(key);
    if (!room) {
      return;
    }
    const encoded = this.encode(PricesEvent.Candle, update, this.candleCounts);
    room.forEach((session) => session.writer.send(key, encoded));
  }

  private encode(
    event: string,
    payload: unknown,
    counts: FanoutCounts,
    seq?: number,
  ): EncodedMessage {
    const namespace = this.namespace!;
    const [data] = namespace.server.encoder.encode({
      type: EVENT_PACKET,
      nsp: namespace.name,
      data: [event, payload],
    }) as [string];
    // "4" is Engine.IO's message packet type; the frame is what `ws` would build per socket.
    const frame = buildFrame(Buffer.from(`4${data}`), {
      readOnly: false,
      mask: false,
      rsv1: false,
      opcode: 1,
      fin: true,
    });

    return { data, options: { wsPreEncodedFrame: frame }, counts, seq };
  }
}

function join<K>(rooms: Map<K, Set<Session>>, key: K, session: Session): void {
  let room = rooms.get(key);
  if (!room) {
    room = new Set();
    rooms.set(key, room);
  }
  room.add(session);
}

function leave<K>(rooms: Map<K, Set<Session>>, key: K, session: Session): void {
  const room = rooms.get(key);
  room?.delete(session);
  if (room?.size === 0) {
    rooms.delete(key);
  }
}

const unavailable = (message: string): { ok: false; error: { code: string; message: string } } => ({
  ok: false,
  error: { code: PricesErrorCode.Unavailable, message },
});

/** A counter read from a plain number on scrape: the per-tick loop stays free of metric calls. */
function registerCounter(registry: Registry, name: string, help: string, read: () => number): void {
  let reported = 0;
  new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      const now = read();
      this.inc(now - reported);
      reported = now;
    },
  });
}
