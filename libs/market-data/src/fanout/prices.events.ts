// The platform's ack types, by their own module: it has no imports, so apps/web can check them.
import type { SocketAck, SocketError } from '@bourse/platform/sockets/socket-ack';
import type { CandleUpdate, ChartBar } from '../candles/chart-bar';
import type { Tick } from '../tick';
import type { Timeframe } from '../timeframes';

/**
 * The wire contract of the `/prices` namespace: event names, payloads and acks. The gateway and
 * every TypeScript client (apps/web) type their sockets with it, and `cli asyncapi` documents it;
 * renaming an event or a field here breaks whichever side has not followed. It imports only
 * plain types, so a browser bundle can use it without pulling in the server.
 */
export const PRICES_NAMESPACE = '/prices';

export const PricesEvent = {
  Subscribe: 'subscribe',
  Unsubscribe: 'unsubscribe',
  SubscribeCandles: 'subscribe_candles',
  UnsubscribeCandles: 'unsubscribe_candles',
  /** Server -> client: a `Tick`. */
  Tick: 'tick',
  /** Server -> client: a `CandleUpdate`. */
  Candle: 'candle',
} as const;

export const PricesErrorCode = {
  InvalidPayload: 'market.invalid_payload',
  UnknownSymbol: 'market.unknown_symbol',
  UnknownTimeframe: 'market.unknown_timeframe',
  Unavailable: 'market.unavailable',
  /** An event over the connection's rate (the platform's limiter, in every namespace). */
  RateLimited: 'socket.rate_limited',
} as const;

/** The platform's ack error: `{ code, message }`. */
export type PricesError = SocketError;

export interface Rejection {
  symbol: string;
  reason: string;
}

export interface SymbolsRequest {
  symbols: string[];
}

export interface CandlesRequest {
  symbol: string;
  timeframe: Timeframe;
}

export type SubscribeAck = SocketAck<{ snapshot: Tick[]; rejected: Rejection[] }>;

export type UnsubscribeAck = SocketAck<{ rejected: Rejection[] }>;

export type SubscribeCandlesAck = SocketAck<{ bar: ChartBar | null }>;

export type UnsubscribeCandlesAck = SocketAck;

/** What a client emits, each with the ack the server answers (Socket.IO's `ClientToServer`). */
export interface PricesClientEvents {
  [PricesEvent.Subscribe]: (request: SymbolsRequest, ack: (reply: SubscribeAck) => void) => void;
  [PricesEvent.Unsubscribe]: (
    request: SymbolsRequest,
    ack: (reply: UnsubscribeAck) => void,
  ) => void;
  [PricesEvent.SubscribeCandles]: (
    request: CandlesRequest,
    ack: (reply: SubscribeCandlesAck) => void,
  ) => void;
  [PricesEvent.UnsubscribeCandles]: (
    request: CandlesRequest,
    ack: (reply: UnsubscribeCandlesAck) => void,
  ) => void;
}

/** What the server emits (Socket.IO's `ServerToClient`). */
export interface PricesServerEvents {
  [PricesEvent.Tick]: (tick: Tick) => void;
  [PricesEvent.Candle]: (update: CandleUpdate) => void;
}

/**
 * The `connect_error` data of a refused connection: a bad token, or the address over its
 * connection cap (`socket.too_many_connections`, 429).
 */
export interface PricesConnectError {
  code: string;
  status: number;
}

/** The ack a client event is answered with, e.g. `PricesAck<'subscribe'>` is `SubscribeAck`. */
export type PricesAck<E extends keyof PricesClientEvents> = Parameters<
  Parameters<PricesClientEvents[E]>[1]
>[0];
