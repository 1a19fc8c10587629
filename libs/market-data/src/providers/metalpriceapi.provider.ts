import type { SymbolSpec } from '../symbols';
import type { Quote } from '../tick';
import { formatUnits, inverseToScale, parseDecimal, toScale } from './decimal';
import {
  backoffDelay,
  deliver,
  describeError,
  resolveDeps,
  type PriceProvider,
  type ProviderDeps,
  type ResolvedDeps,
} from './price-provider';

export interface MetalpriceApiOptions {
  /** Base URL including the version, e.g. https://api.metalpriceapi.com/v1 */
  url: string;
  key: string;
  pollMs: number;
  /** Whole-request deadline (headers and body). */
  timeoutMs: number;
  /** Ceiling of the back-off after consecutive failures. */
  maxBackoffMs: number;
}

type FailureKind =
  'timeout' | 'network' | 'rate-limited' | 'unauthorized' | 'http' | 'rejected' | 'malformed';

class PollFailure extends Error {
  constructor(
    readonly kind: FailureKind,
    message: string,
    readonly retryAfterMs = 0,
  ) {
    super(message);
  }
}

/**
 * JSON.parse that keeps every number as its source text (Node 21+ reviver context), so a rate
 * such as 2650.125 reaches the decimal code exactly as the provider printed it, not as the
 * nearest double.
 */
function parseJsonKeepingNumbers(text: string): unknown {
  const parse = JSON.parse as (
    text: string,
    reviver: (key: string, value: unknown, context?: { source?: string }) => unknown,
  ) => unknown;

  return parse(text, (_key, value, context) =>
    typeof value === 'number' ? (context?.source ?? String(value)) : value,
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Polls metalpriceapi.com's `/latest` with base USD. The response carries, per requested
 * currency, `CUR` (units of CUR per USD) and `USDCUR` (USD per one CUR, i.e. our XAUUSD price).
 * We use `USDCUR` and fall back to inverting `CUR` (exactly, rounded once) when it is absent.
 * Quotes are stamped with the response's `timestamp` (seconds); a response whose timestamp is
 * not newer than the last one delivered carries no new price and is skipped, so a plan with
 * delayed rates does not emit repeats every poll.
 */
export class MetalpriceApiProvider implements PriceProvider {
  readonly name = 'metalpriceapi' as const;
  private readonly deps: ResolvedDeps;
  /** Our symbols priced in USD, by metalpriceapi currency code. */
  private readonly byCurrency = new Map<string, SymbolSpec>();
  private onQuote?: (quote: Quote) => void;
  private timer?: NodeJS.Timeout;
  private abort?: AbortController;
  private inFlight?: Promise<void>;
  private failures = 0;
  private lastTs = 0;

  constructor(
    private readonly options: MetalpriceApiOptions,
    symbols: readonly SymbolSpec[],
    deps?: ProviderDeps,
  ) {
    this.deps = resolveDeps(this.name, deps);
    for (const spec of symbols) {
      if (spec.quote === 'USD') {
        this.byCurrency.set(spec.base, spec);
      } else {
        this.deps.logger.warn(`${spec.symbol}: only USD-quoted symbols are polled, skipped`);
      }
    }
  }

  start(onQuote: (quote: Quote) => void): Promise<void> {
    if (this.onQuote) {
      return Promise.reject(new Error('metalpriceapi provider already started'));
    }
    this.onQuote = onQuote;
    this.abort = new AbortController();
    this.failures = 0;
    this.deps.logger.log(
      `Polling metalpriceapi every ${this.options.pollMs} ms for ${[...this.byCurrency.keys()].join(',')}`,
    );
    this.schedule(0);

    return Promise.resolve();
  }

  async stop(): Promise<void> {
    this.onQuote = undefined;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.abort?.abort();
    await this.inFlight;
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.inFlight = this.pollOnce().finally(() => {
        this.inFlight = undefined;
      });
    }, delayMs);
  }

  private async pollOnce(): Promise<void> {
    const signal = this.abort!.signal;
    let nextDelay = this.options.pollMs;
    try {
      const body = await this.fetchLatest(signal);
      this.publish(body);
      if (this.failures > 0) {
        this.deps.logger.log(`metalpriceapi recovered after ${this.failures} failed polls`);
      }
      this.failures = 0;
    } catch (error) {
      if (signal.aborted) {
        return; // stop() interrupted the request
      }
      this.failures += 1;
      const failure =
        error instanceof PollFailure ? error : new PollFailure('network', describeError(error));
      nextDelay = Math.min(
        this.options.maxBackoffMs,
        Math.max(
          failure.retryAfterMs,
          backoffDelay(
            this.failures - 1,
            this.options.pollMs,
            this.options.maxBackoffMs,
            this.deps.random,
          ),
        ),
      );
      const line = `metalpriceapi poll failed (${failure.kind}, ${this.failures} in a row): ${failure.message}; retrying in ${nextDelay} ms`;
      // A bad key or an exhausted quota needs a human; the rest is weather.
      if (failure.kind === 'unauthorized' || failure.kind === 'rejected') {
        this.deps.logger.error(line);
      } else {
        this.deps.logger.warn(line);
      }
    }
    if (this.onQuote) {
      this.schedule(nextDelay);
    }
  }

  private async fetchLatest(stopSignal: AbortSignal): Promise<Record<string, unknown>> {
    const url = new URL(`${this.options.url.replace(/\/+$/, '')}/latest`);
    url.searchParams.set('api_key', this.options.key);
    url.searchParams.set('base', 'USD');
    url.searchParams.set('currencies', [...this.byCurrency.keys()].join(','));
    const deadline = AbortSignal.timeout(this.options.timeoutMs);
    let status: number;
    let retryAfter: string | null;
    let text: string;
    try {
      // The URL carries the key: it is never logged, and errors below only describe the failure.
      const response = await fetch(url, {
        headers: { accept: 'application/json' },
        signal: AbortSignal.any([stopSignal, deadline]),
      });
      status = response.status;
      retryAfter = response.headers.get('retry-after');
      text = await response.text();
    } catch (error) {
      if (deadline.aborted) {
        throw new PollFailure(
          'timeout',
          `no complete response within ${this.options.timeoutMs} ms`,
        );
      }
      throw new PollFailure('network', describeError(error));
    }

    let body: unknown;
    try {
      body = parseJsonKeepingNumbers(text);
    } catch {
      // Error statuses often come from a proxy with an HTML page: report the status first.
      if (status < 200 || status >= 300) {
        throw httpFailure(status, retryAfter, `HTTP ${status}`);
      }
      throw new PollFailure('malformed', `body is not JSON: ${text.slice(0, 80)}`);
    }
    const providerError = isRecord(body) && isRecord(body.error) ? body.error : undefined;
    const detail = providerError
      ? `error ${String(providerError.statusCode)}: ${String(providerError.message ?? providerError.info)}`
      : `HTTP ${status}`;
    if (status < 200 || status >= 300) {
      throw httpFailure(status, retryAfter, detail);
    }
    if (!isRecord(body) || body.success !== true) {
      // metalpriceapi also reports errors (bad key, quota) as HTTP 200 with success:false.
      throw new PollFailure('rejected', detail);
    }
    if (!isRecord(body.rates) || !/^\d+$/.test(String(body.timestamp))) {
      throw new PollFailure('malformed', 'success without rates or timestamp');
    }

    return body;
  }

  private publish(body: Record<string, unknown>): void {
    const onQuote = this.onQuote;
    const ts = Number(body.timestamp) * 1000;
    if (!onQuote || ts <= this.lastTs) {
      return;
    }
    const rates = body.rates as Record<string, unknown>;
    const missing: string[] = [];
    for (const [currency, spec] of this.byCurrency) {
      const units = priceUnits(rates, currency, spec.scale);
      if (units === undefined || units <= 0n) {
        missing.push(currency);
        continue;
      }
      deliver(
        onQuote,
        { symbol: spec.symbol, price: formatUnits(units, spec.scale), ts },
        this.deps.logger,
      );
    }
    this.lastTs = ts;
    if (missing.length > 0) {
      this.deps.logger.warn(`metalpriceapi returned no usable rate for ${missing.join(',')}`);
    }
  }
}

function priceUnits(
  rates: Record<string, unknown>,
  currency: string,
  scale: number,
): bigint | undefined {
  const direct = rates[`USD${currency}`];
  if (typeof direct === 'string') {
    const value = parseDecimal(direct);

    return value && toScale(value, scale);
  }
  const perUsd = rates[currency];
  const value = typeof perUsd === 'string' ? parseDecimal(perUsd) : undefined;

  return value && inverseToScale(value, scale);
}

function httpFailure(status: number, retryAfter: string | null, detail: string): PollFailure {
  if (status === 429) {
    // Retry-After in seconds (the HTTP-date form is not used by this API).
    const seconds = Number(retryAfter);

    return new PollFailure(
      'rate-limited',
      detail,
      Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 0,
    );
  }
  if (status === 401 || status === 403) {
    return new PollFailure('unauthorized', detail);
  }

  return new PollFailure('http', detail);
}
