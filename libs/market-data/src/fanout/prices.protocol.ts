import type { CandleUpdate } from '../candles/chart-bar';
import { findSymbol } from '../symbols';
import type { Tick } from '../tick';
import { TIMEFRAMES, type Timeframe } from '../timeframes';
import { PricesErrorCode, type PricesError, type Rejection } from './prices.events';

/** More than every symbol we quote, so a client never needs more; bounds the work per request. */
const MAX_SYMBOLS_PER_REQUEST = 50;
const MAX_SYMBOL_LENGTH = 32;

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: PricesError };

const invalid = (message: string): { ok: false; error: PricesError } => ({
  ok: false,
  error: { code: PricesErrorCode.InvalidPayload, message },
});

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** `{symbols: string[]}`: known symbols to act on, unknown ones listed as rejected. */
export function parseSymbols(
  payload: unknown,
): Parsed<{ symbols: string[]; rejected: Rejection[] }> {
  if (!isRecord(payload) || !Array.isArray(payload.symbols)) {
    return invalid('expected {symbols: string[]}');
  }
  const list: unknown[] = payload.symbols;
  if (list.length === 0 || list.length > MAX_SYMBOLS_PER_REQUEST) {
    return invalid(`symbols must hold 1 to ${MAX_SYMBOLS_PER_REQUEST} entries`);
  }
  if (!list.every((s) => typeof s === 'string' && s.length > 0 && s.length <= MAX_SYMBOL_LENGTH)) {
    return invalid(`every symbol must be a string of 1 to ${MAX_SYMBOL_LENGTH} characters`);
  }
  const symbols: string[] = [];
  const rejected: Rejection[] = [];
  for (const symbol of new Set(list as string[])) {
    if (findSymbol(symbol)) {
      symbols.push(symbol);
    } else {
      rejected.push({ symbol, reason: PricesErrorCode.UnknownSymbol });
    }
  }

  return { ok: true, value: { symbols, rejected } };
}

/** `{symbol, timeframe}` naming a known symbol and one of the six timeframes. */
export function parseCandleSubscription(
  payload: unknown,
): Parsed<{ symbol: string; timeframe: Timeframe }> {
  if (
    !isRecord(payload) ||
    typeof payload.symbol !== 'string' ||
    typeof payload.timeframe !== 'string'
  ) {
    return invalid('expected {symbol: string, timeframe: string}');
  }
  const { symbol, timeframe } = payload;
  if (!findSymbol(symbol)) {
    return {
      ok: false,
      error: { code: PricesErrorCode.UnknownSymbol, message: `unknown symbol ${symbol}` },
    };
  }
  if (!Object.hasOwn(TIMEFRAMES, timeframe)) {
    return {
      ok: false,
      error: {
        code: PricesErrorCode.UnknownTimeframe,
        message: `timeframe must be one of ${Object.keys(TIMEFRAMES).join(', ')}`,
      },
    };
  }

  return { ok: true, value: { symbol, timeframe: timeframe as Timeframe } };
}

/** A tick from the channel or the hash; anything else is dropped (and logged) by the caller. */
export function parseTick(json: string): Tick | undefined {
  const value: unknown = safeJson(json);
  if (
    isRecord(value) &&
    typeof value.symbol === 'string' &&
    typeof value.price === 'string' &&
    typeof value.ts === 'number' &&
    typeof value.seq === 'number'
  ) {
    return { symbol: value.symbol, price: value.price, ts: value.ts, seq: value.seq };
  }

  return undefined;
}

/** A candle flush's message; relayed as published, so only what routing needs is checked. */
export function parseCandleUpdate(json: string): CandleUpdate | undefined {
  const value: unknown = safeJson(json);
  if (
    isRecord(value) &&
    typeof value.symbol === 'string' &&
    findSymbol(value.symbol) !== undefined &&
    typeof value.timeframe === 'string' &&
    Object.hasOwn(TIMEFRAMES, value.timeframe) &&
    isRecord(value.bar) &&
    typeof value.bar.time === 'number'
  ) {
    return value as unknown as CandleUpdate;
  }

  return undefined;
}

function safeJson(json: string): unknown {
  try {
    return JSON.parse(json);
  } catch {
    return undefined;
  }
}
