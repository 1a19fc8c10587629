import { Logger } from '@nestjs/common';
import type { Quote } from '../tick';

export type ProviderName = 'simulated' | 'metalpriceapi' | 'binance';

/** An upstream price source. One runs per provider, in the worker that holds its lease. */
export interface PriceProvider {
  readonly name: ProviderName;
  /** Streams quotes to onQuote until stop(); retries/reconnects internally with back-off; never throws after start resolves. */
  start(onQuote: (quote: Quote) => void): Promise<void>;
  /** Stops streaming and releases timers and sockets; no quote is delivered after it resolves. */
  stop(): Promise<void>;
}

/** What providers log through; Nest's `Logger` fits. */
export interface ProviderLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface ProviderDeps {
  logger?: ProviderLogger;
  /** Clock of quote timestamps (epoch ms) where the provider reports none. */
  now?: () => number;
  /** Source of back-off jitter, in [0, 1). */
  random?: () => number;
}

export interface ResolvedDeps {
  logger: ProviderLogger;
  now: () => number;
  random: () => number;
}

export function resolveDeps(name: ProviderName, deps: ProviderDeps = {}): ResolvedDeps {
  return {
    logger: deps.logger ?? new Logger(`PriceProvider:${name}`),
    now: deps.now ?? Date.now,
    random: deps.random ?? Math.random,
  };
}

/**
 * Exponential back-off with "equal jitter": half the delay is fixed, half random, so replicas
 * that lost the same upstream do not retry in lockstep, yet none retries almost immediately.
 */
export function backoffDelay(
  attempt: number,
  baseMs: number,
  maxMs: number,
  random: () => number,
): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));

  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** Delivers a quote; a throwing listener is logged, never allowed to stop the stream. */
export function deliver(
  onQuote: (quote: Quote) => void,
  quote: Quote,
  logger: ProviderLogger,
): void {
  try {
    onQuote(quote);
  } catch (error) {
    logger.error(`Quote listener failed for ${quote.symbol}: ${describeError(error)}`);
  }
}

export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';

    return `${error.message}${cause}`;
  }

  return String(error);
}
