import type { JsonSchemaOf, NamespaceDoc } from '@bourse/platform';
import type { CandleUpdate, ChartBar } from '../candles/chart-bar';
import type { Tick } from '../tick';
import { TIMEFRAME_NAMES } from '../timeframes';
import {
  PRICES_NAMESPACE,
  PricesErrorCode,
  PricesEvent,
  type CandlesRequest,
  type PricesAck,
  type PricesClientEvents,
  type PricesError,
  type PricesServerEvents,
  type Rejection,
  type SymbolsRequest,
} from './prices.events';

// Each schema is checked against its TypeScript type (JsonSchemaOf): rename a field of Tick and
// this file stops compiling until the document says the same.

const decimal = (description: string) =>
  ({ type: 'string', pattern: '^-?[0-9]+(\\.[0-9]+)?$', description }) as const;

const tick = {
  title: 'Tick',
  type: 'object',
  properties: {
    symbol: { type: 'string', examples: ['XAUUSD'], description: 'Symbol.' },
    price: decimal("Price in the symbol's scale, a decimal string (never a float)."),
    ts: { type: 'integer', description: 'Time of the price, epoch milliseconds (server clock).' },
    seq: {
      type: 'integer',
      minimum: 1,
      description:
        'Grows by one per published tick of the symbol: a jump means ticks were skipped.',
    },
  },
  required: ['symbol', 'price', 'ts', 'seq'],
} as const satisfies JsonSchemaOf<Tick>;

const chartBar = {
  title: 'ChartBar',
  type: 'object',
  properties: {
    time: { type: 'integer', description: 'Bucket start, UTC epoch seconds.' },
    open: decimal('First price of the bar.'),
    high: decimal('Highest price of the bar.'),
    low: decimal('Lowest price of the bar.'),
    close: decimal('Last price of the bar so far.'),
    tickCount: { type: 'integer', minimum: 1, description: 'Ticks folded into the bar.' },
  },
  required: ['time', 'open', 'high', 'low', 'close', 'tickCount'],
} as const satisfies JsonSchemaOf<ChartBar>;

const timeframe = { type: 'string', enum: TIMEFRAME_NAMES } as const;

const candleUpdate = {
  title: 'CandleUpdate',
  type: 'object',
  properties: { symbol: { type: 'string' }, timeframe, bar: chartBar },
  required: ['symbol', 'timeframe', 'bar'],
} as const satisfies JsonSchemaOf<CandleUpdate>;

const pricesError = {
  title: 'PricesError',
  type: 'object',
  properties: {
    code: { type: 'string', examples: Object.values(PricesErrorCode) },
    message: { type: 'string' },
  },
  required: ['code', 'message'],
} as const satisfies JsonSchemaOf<PricesError>;

const failure = {
  type: 'object',
  properties: { ok: { const: false }, error: pricesError },
  required: ['ok', 'error'],
} as const;

const rejections = {
  type: 'array',
  description: 'Symbols not acted on, with the reason (`market.unknown_symbol`).',
  items: {
    type: 'object',
    properties: { symbol: { type: 'string' }, reason: { type: 'string' } },
    required: ['symbol', 'reason'],
  },
} as const satisfies JsonSchemaOf<Rejection[]>;

const symbolsRequest = {
  title: 'SymbolsRequest',
  type: 'object',
  properties: { symbols: { type: 'array', items: { type: 'string' }, maxItems: 50 } },
  required: ['symbols'],
} as const satisfies JsonSchemaOf<SymbolsRequest>;

const candlesRequest = {
  title: 'CandlesRequest',
  type: 'object',
  properties: { symbol: { type: 'string' }, timeframe },
  required: ['symbol', 'timeframe'],
} as const satisfies JsonSchemaOf<CandlesRequest>;

type ClientEvent = keyof PricesClientEvents;
type Payload<E extends ClientEvent> = Parameters<PricesClientEvents[E]>[0];

/** Every client event with its request and ack schemas: a missing event fails to compile. */
const CLIENT_EVENTS: {
  [E in ClientEvent]: {
    summary: string;
    payload: JsonSchemaOf<Payload<E>>;
    ack: JsonSchemaOf<PricesAck<E>>;
  };
} = {
  [PricesEvent.Subscribe]: {
    summary:
      'Start receiving `tick` for these symbols. The ack holds a snapshot (the last tick of each ' +
      'symbol that has one); ticks after it are strictly newer. Idempotent: send it again for a ' +
      'fresh snapshot after a `seq` gap.',
    payload: symbolsRequest,
    ack: {
      oneOf: [
        {
          type: 'object',
          properties: {
            ok: { const: true },
            snapshot: { type: 'array', items: tick },
            rejected: rejections,
          },
          required: ['ok', 'snapshot', 'rejected'],
        },
        failure,
      ],
    },
  },
  [PricesEvent.Unsubscribe]: {
    summary: 'Stop receiving `tick` for these symbols.',
    payload: symbolsRequest,
    ack: {
      oneOf: [
        {
          type: 'object',
          properties: { ok: { const: true }, rejected: rejections },
          required: ['ok', 'rejected'],
        },
        failure,
      ],
    },
  },
  [PricesEvent.SubscribeCandles]: {
    summary:
      'Start receiving `candle` for one series. The ack holds the forming bar of the current ' +
      'bucket, if known.',
    payload: candlesRequest,
    ack: {
      oneOf: [
        {
          type: 'object',
          properties: { ok: { const: true }, bar: { oneOf: [chartBar, { type: 'null' }] } },
          required: ['ok', 'bar'],
        },
        failure,
      ],
    },
  },
  [PricesEvent.UnsubscribeCandles]: {
    summary: 'Stop receiving `candle` for one series.',
    payload: candlesRequest,
    ack: {
      oneOf: [{ type: 'object', properties: { ok: { const: true } }, required: ['ok'] }, failure],
    },
  },
};

/** Every server event with its payload schema. */
const SERVER_EVENTS: {
  [E in keyof PricesServerEvents]: {
    summary: string;
    payload: JsonSchemaOf<Parameters<PricesServerEvents[E]>[0]>;
  };
} = {
  [PricesEvent.Tick]: {
    summary: 'A new price of a subscribed symbol (the newest one, if the client fell behind).',
    payload: tick,
  },
  [PricesEvent.Candle]: {
    summary: 'A bar of a subscribed series changed (the forming bar, or a new bucket began).',
    payload: candleUpdate,
  },
};

/**
 * The `/prices` namespace for the AsyncAPI document (served at /asyncapi.json, committed as
 * asyncapi.json by `cli asyncapi`).
 */
export const PRICES_ASYNCAPI: NamespaceDoc = {
  key: 'prices',
  address: PRICES_NAMESPACE,
  description:
    'Live prices and candles. Every client event takes an ack (a reply here). Anonymous clients ' +
    'are welcome; `auth: {token}` is optional. Contract: libs/market-data prices.events.ts.',
  clientEvents: CLIENT_EVENTS,
  serverEvents: SERVER_EVENTS,
};
