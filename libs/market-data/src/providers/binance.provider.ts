import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import type { SymbolSpec } from '../symbols';
import type { Quote } from '../tick';
import { formatUnits, midToScale, parseDecimal } from './decimal';
import {
  backoffDelay,
  deliver,
  describeError,
  resolveDeps,
  type PriceProvider,
  type ProviderDeps,
  type ResolvedDeps,
} from './price-provider';

/**
 * Our symbols that Binance lists, and the pair quoting them. Binance quotes crypto in USDT, not
 * USD: we take 1 USDT = 1 USD (it trades within a few basis points of par, noise next to BTC's
 * moves). FX and metals are deliberately absent: EURUSDT exists, but the USDT premium is of the
 * order of an FX spread, and Binance has no spot XAU/XAG/XPT.
 */
export const BINANCE_PAIRS: Readonly<Record<string, string>> = { BTCUSD: 'BTCUSDT' };

export interface BinanceOptions {
  /** Base URL of the market streams, e.g. wss://stream.binance.com:9443 */
  wsUrl: string;
  reconnectBaseMs: number;
  reconnectMaxMs: number;
  /**
   * Binance closes every connection after 24 h; we reconnect on our own schedule a little before
   * that, at a moment we choose, rather than being cut mid-stream.
   */
  maxConnectionMs: number;
  /**
   * Binance pings every 20 s and the book ticker of a listed pair moves many times a second, so
   * this long without a frame or a ping means a dead TCP path that no close event will report.
   */
  idleTimeoutMs: number;
  handshakeTimeoutMs: number;
}

export const BINANCE_DEFAULTS: Omit<BinanceOptions, 'wsUrl'> = {
  reconnectBaseMs: 500,
  reconnectMaxMs: 30_000,
  maxConnectionMs: 23 * 60 * 60_000 + 50 * 60_000,
  idleTimeoutMs: 60_000,
  handshakeTimeoutMs: 10_000,
};

interface BookTicker {
  s: string;
  b: string;
  a: string;
}

function isBookTicker(value: unknown): value is BookTicker {
  if (typeof value !== 'object' || value === null) {
    return false;
  }
  const data = value as Record<string, unknown>;

  return typeof data.s === 'string' && typeof data.b === 'string' && typeof data.a === 'string';
}

/**
 * Streams Binance's combined `<pair>@bookTicker` streams and quotes the mid of best bid and
 * best ask, rounded half-up at the symbol's scale (the mid moves with the book, not only on
 * trades, and has no bid/ask bounce). The book ticker changes far more often than the mid at
 * our scale, so a quote is delivered only when the rounded mid changes. Spot book tickers carry
 * no event time: quotes are stamped with the local clock on receipt.
 */
export class BinanceProvider implements PriceProvider {
  readonly name = 'binance' as const;
  private readonly deps: ResolvedDeps;
  /** Our symbol spec by Binance pair (upper case, as in the frames' `s`). */
  private readonly byPair = new Map<string, SymbolSpec>();
  private readonly lastPrice = new Map<string, string>();
  private onQuote?: (quote: Quote) => void;
  private socket?: WebSocket;
  private attempt = 0;
  private reconnectTimer?: NodeJS.Timeout;
  private watchdog?: NodeJS.Timeout;
  private lastFrameAt = 0;
  private garbage = 0;

  constructor(
    private readonly options: BinanceOptions,
    symbols: readonly SymbolSpec[],
    deps?: ProviderDeps,
  ) {
    this.deps = resolveDeps(this.name, deps);
    for (const spec of symbols) {
      const pair = BINANCE_PAIRS[spec.symbol];
      if (pair) {
        this.byPair.set(pair, spec);
      }
    }
    const skipped = symbols.filter((spec) => !BINANCE_PAIRS[spec.symbol]).map((s) => s.symbol);
    if (skipped.length > 0) {
      this.deps.logger.log(`Not listed on Binance, skipped: ${skipped.join(',')}`);
    }
  }

  /** The combined-stream URL; stream names must be lower case. */
  get streamUrl(): string {
    const streams = [...this.byPair.keys()].map((pair) => `${pair.toLowerCase()}@bookTicker`);

    return `${this.options.wsUrl.replace(/\/+$/, '')}/stream?streams=${streams.join('/')}`;
  }

  start(onQuote: (quote: Quote) => void): Promise<void> {
    if (this.onQuote) {
      return Promise.reject(new Error('binance provider already started'));
    }
    this.onQuote = onQuote;
    this.attempt = 0;
    if (this.byPair.size === 0) {
      this.deps.logger.warn('No configured symbol is listed on Binance; nothing to stream');

      return Promise.resolve();
    }
    this.connect();
    this.watchdog = setInterval(
      () => this.checkIdle(),
      Math.max(10, this.options.idleTimeoutMs / 4),
    );

    return Promise.resolve();
  }

  async stop(): Promise<void> {
    this.onQuote = undefined;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.watchdog);
    const socket = this.socket;
    this.socket = undefined;
    if (socket) {
      await closeSocket(socket);
    }
  }

  private connect(): void {
    const socket = new WebSocket(this.streamUrl, {
      handshakeTimeout: this.options.handshakeTimeoutMs,
      perMessageDeflate: false,
    });
    this.socket = socket;
    this.lastFrameAt = performance.now();
    // Per socket: a retired socket's late close must not cancel its successor's refresh.
    let refreshTimer: NodeJS.Timeout | undefined;
    socket.on('open', () => {
      this.deps.logger.log(`Connected to Binance (${this.byPair.size} streams)`);
      refreshTimer = setTimeout(() => this.refresh(socket), this.options.maxConnectionMs);
    });
    // ws answers Binance's pings with pongs by itself; a ping still proves the path is alive.
    socket.on('ping', () => {
      this.lastFrameAt = performance.now();
    });
    socket.on('message', (data, isBinary) => {
      this.lastFrameAt = performance.now();
      this.handleFrame(isBinary ? undefined : data.toString());
    });
    socket.on('error', (error) => {
      if (this.socket === socket) {
        this.deps.logger.warn(`Binance socket error: ${describeError(error)}`);
      }
    });
    socket.on('close', (code, reason) => {
      clearTimeout(refreshTimer);
      if (this.socket !== socket) {
        return; // stopped, or replaced by refresh()
      }
      this.socket = undefined;
      const delay = backoffDelay(
        this.attempt,
        this.options.reconnectBaseMs,
        this.options.reconnectMaxMs,
        this.deps.random,
      );
      this.attempt += 1;
      this.deps.logger.warn(
        `Binance connection closed (${code}${reason.length > 0 ? ` ${reason.toString()}` : ''}); reconnecting in ${delay} ms (attempt ${this.attempt})`,
      );
      this.reconnectTimer = setTimeout(() => this.connect(), delay);
    });
  }

  /** Planned reconnect before Binance's 24 h cut: a sub-second gap at a time of our choosing. */
  private refresh(socket: WebSocket): void {
    if (this.socket !== socket) {
      return;
    }
    this.deps.logger.log('Refreshing the Binance connection before its 24 h limit');
    this.socket = undefined;
    void closeSocket(socket);
    this.connect();
  }

  private checkIdle(): void {
    const socket = this.socket;
    if (
      socket?.readyState === WebSocket.OPEN &&
      performance.now() - this.lastFrameAt > this.options.idleTimeoutMs
    ) {
      this.deps.logger.warn(`No Binance frame for ${this.options.idleTimeoutMs} ms; reconnecting`);
      socket.terminate(); // the close handler reconnects with back-off
    }
  }

  private handleFrame(text: string | undefined): void {
    const onQuote = this.onQuote;
    if (!onQuote) {
      return;
    }
    let data: unknown;
    try {
      data = text === undefined ? undefined : (JSON.parse(text) as { data?: unknown }).data;
    } catch {
      data = undefined;
    }
    const spec = isBookTicker(data) ? this.byPair.get(data.s) : undefined;
    const bid = spec && parseDecimal((data as BookTicker).b);
    const ask = spec && parseDecimal((data as BookTicker).a);
    if (!spec || !bid || !ask || bid.units === 0n || ask.units === 0n) {
      this.reportGarbage(text);

      return;
    }
    this.attempt = 0; // a good frame, not a mere open, proves the connection works
    const price = formatUnits(midToScale(bid, ask, spec.scale), spec.scale);
    if (this.lastPrice.get(spec.symbol) === price) {
      return;
    }
    this.lastPrice.set(spec.symbol, price);
    deliver(onQuote, { symbol: spec.symbol, price, ts: this.deps.now() }, this.deps.logger);
  }

  // Logged sparingly: a misbehaving stream would otherwise flood the logs.
  private reportGarbage(text: string | undefined): void {
    this.garbage += 1;
    if ((this.garbage & (this.garbage - 1)) === 0) {
      const sample = text === undefined ? '<binary>' : text.slice(0, 120);
      this.deps.logger.warn(`Ignored unexpected Binance frame (${this.garbage} so far): ${sample}`);
    }
  }
}

/** Closes gracefully, or terminates when the peer does not answer the close in time. */
function closeSocket(socket: WebSocket): Promise<void> {
  if (socket.readyState === WebSocket.CLOSED) {
    return Promise.resolve();
  }

  return new Promise((resolve) => {
    const force = setTimeout(() => socket.terminate(), 2000);
    socket.once('close', () => {
      clearTimeout(force);
      resolve();
    });
    if (socket.readyState === WebSocket.CONNECTING) {
      socket.terminate();
    } else {
      socket.close(1000, 'client stopping');
    }
  });
}
