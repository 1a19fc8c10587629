import {
  BinanceProvider,
  createPriceProvider,
  MARKET_CONFIG,
  SYMBOLS,
  type MarketAppConfig,
  type PriceProvider,
  type ProviderLogger,
  type Quote,
} from '@bourse/market-data';
import { loadConfig } from '@bourse/platform';
import { BinanceSimulator } from '../simulators/binance.simulator';
import {
  MetalpriceApiSimulator,
  type MetalpriceFailure,
} from '../simulators/metalpriceapi.simulator';

/** Captures log lines instead of printing them, so tests can assert on what was reported. */
class CapturingLogger implements ProviderLogger {
  readonly lines: { level: 'log' | 'warn' | 'error'; message: string }[] = [];
  log(message: string): void {
    this.lines.push({ level: 'log', message });
  }
  warn(message: string): void {
    this.lines.push({ level: 'warn', message });
  }
  error(message: string): void {
    this.lines.push({ level: 'error', message });
  }
  has(level: 'log' | 'warn' | 'error', text: string): boolean {
    return this.lines.some((line) => line.level === level && line.message.includes(text));
  }
}

async function waitFor(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await sleep(10);
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function marketConfig(market: Partial<MarketAppConfig['market']>): MarketAppConfig {
  const config = loadConfig({}, [MARKET_CONFIG]);

  return { ...config, market: { ...config.market, ...market } };
}

describe('price providers against local simulators', () => {
  let provider: PriceProvider | undefined;
  let quotes: Quote[];
  let logger: CapturingLogger;
  const collect = (quote: Quote): void => {
    quotes.push(quote);
  };

  beforeEach(() => {
    quotes = [];
    logger = new CapturingLogger();
  });

  afterEach(async () => {
    await provider?.stop();
    provider = undefined;
  });

  describe('simulated', () => {
    it('is the default and streams every symbol at the configured rate', async () => {
      provider = createPriceProvider(marketConfig({ simTicksPerSecond: 50 }), SYMBOLS, { logger });
      expect(provider.name).toBe('simulated');
      await provider.start(collect);
      await waitFor(() => quotes.length >= 3 * SYMBOLS.length, 'three rounds of ticks');
      await provider.stop();
      const count = quotes.length;
      await sleep(60);

      expect(quotes.length).toBe(count);
      expect(new Set(quotes.slice(0, SYMBOLS.length).map((q) => q.symbol))).toEqual(
        new Set(SYMBOLS.map((s) => s.symbol)),
      );
    });
  });

  describe('metalpriceapi', () => {
    const sim = new MetalpriceApiSimulator({ key: 'test-key', slowMs: 1000 });
    let url: string;

    beforeAll(async () => {
      url = await sim.start();
    });
    afterAll(() => sim.stop());

    const start = async (overrides: { key?: string; url?: string } = {}): Promise<void> => {
      const config = marketConfig({
        provider: 'metalpriceapi',
        // 200 ms polls give the client a 200 ms request deadline (min(10 s, poll interval)).
        metalpriceapi: { url: overrides.url ?? url, key: overrides.key ?? 'test-key', pollMs: 200 },
      });
      provider = createPriceProvider(config, SYMBOLS, { logger, random: () => 0.5 });
      await provider.start(collect);
    };
    const quotesAt = (ts: number): Quote[] => quotes.filter((q) => q.ts === ts);

    it('maps USD<CUR> rates to our symbols, rounded half-up at each scale', async () => {
      sim.setPrices(
        { XAU: '2650.125', XAG: '31.2504', XPT: '980.1', BTC: '95000.005', EUR: '1.085555' },
        1_700_000_000,
      );
      await start();
      await waitFor(() => quotes.length === 5, 'five quotes');

      expect(quotes).toEqual([
        { symbol: 'XAUUSD', price: '2650.13', ts: 1_700_000_000_000 },
        { symbol: 'XAGUSD', price: '31.250', ts: 1_700_000_000_000 },
        { symbol: 'XPTUSD', price: '980.10', ts: 1_700_000_000_000 },
        { symbol: 'BTCUSD', price: '95000.01', ts: 1_700_000_000_000 },
        { symbol: 'EURUSD', price: '1.08556', ts: 1_700_000_000_000 },
      ]);
      const query = sim.requests.at(-1)!;
      expect(query.get('api_key')).toBe('test-key');
      expect(query.get('base')).toBe('USD');
      expect(query.get('currencies')).toBe('XAU,XAG,XPT,BTC,EUR');
    });

    it('emits only when the provider timestamp moves', async () => {
      sim.setPrices({ XAU: '2650.00' }, 1_700_000_100);
      await start();
      await waitFor(() => quotes.length === 1, 'the first quote');
      const polled = sim.requests.length;
      await waitFor(() => sim.requests.length >= polled + 2, 'two more polls');
      expect(quotes).toHaveLength(1);

      sim.setPrices({ XAU: '2651.00' }, 1_700_000_160);
      await waitFor(() => quotes.length === 2, 'the next quote');
      expect(quotes[1]).toEqual({ symbol: 'XAUUSD', price: '2651.00', ts: 1_700_000_160_000 });
    });

    it('inverts the per-USD rate when USD<CUR> is absent', async () => {
      sim.serveInverseKeys(false);
      try {
        sim.setPrices({ XAU: '2500', EUR: '1.25' }, 1_700_000_200);
        await start();
        await waitFor(() => quotes.length === 2, 'two quotes');
      } finally {
        sim.serveInverseKeys(true);
      }
      expect(quotes.map((q) => [q.symbol, q.price])).toEqual([
        ['XAUUSD', '2500.00'],
        ['EURUSD', '1.25000'],
      ]);
    });

    it('survives every failure kind with a logged back-off, and recovers after each', async () => {
      sim.setPrices({ XAU: '2600.00' }, 1_700_001_000);
      await start();
      await waitFor(() => quotes.length === 1, 'the first quote');

      const kinds: [MetalpriceFailure, string][] = [
        ['invalid-key-200', 'rejected'],
        ['unauthorized', 'unauthorized'],
        ['rate-limited', 'rate-limited'],
        ['server-error', 'http'],
        ['slow', 'timeout'],
        ['malformed', 'malformed'],
      ];
      let ts = 1_700_001_000;
      for (const [kind, logged] of kinds) {
        sim.failNext(kind, 2);
        ts += 60;
        sim.setPrices({ XAU: '2600.00' }, ts);
        await waitFor(() => quotesAt(ts * 1000).length === 1, `a quote after ${kind}`);
        expect(
          logger.lines.some(
            (l) => l.level !== 'log' && l.message.includes(`(${logged}, 2 in a row)`),
          ),
        ).toBe(true);
      }
      expect(logger.has('log', 'recovered after 2 failed polls')).toBe(true);
      expect(quotes).toHaveLength(kinds.length + 1);
      // The key travels in the URL: no log line may carry it.
      expect(logger.lines.some((l) => l.message.includes('test-key'))).toBe(false);
    });

    it('backs off exponentially while the key is refused, without throwing', async () => {
      sim.setPrices({ XAU: '2600.00' }, 1_700_002_000);
      const before = sim.requests.length;
      await start({ key: 'wrong-key' });
      await sleep(1300);

      // With random 0.5: 150, 300, 600 ms... so 4 requests in 1.3 s, not 7 at the poll rate.
      expect(sim.requests.length - before).toBeGreaterThanOrEqual(3);
      expect(sim.requests.length - before).toBeLessThanOrEqual(5);
      expect(quotes).toEqual([]);
      expect(logger.has('error', 'error 101: Invalid API Key.')).toBe(true);
    });

    it('waits at least as long as a 429 Retry-After asks', async () => {
      const limited = new MetalpriceApiSimulator({ key: 'test-key', retryAfterSeconds: 1 });
      try {
        limited.setPrices({ XAU: '2600.00' }, 1_700_004_000);
        limited.failNext('rate-limited');
        await start({ url: await limited.start() });
        await waitFor(() => quotes.length === 1, 'the quote after the rate limit', 3000);
        const [first, second] = limited.requestTimes;
        expect(second! - first!).toBeGreaterThanOrEqual(990);
        expect(
          logger.has(
            'warn',
            '(rate-limited, 1 in a row): error 429: Too many requests.; retrying in 1000 ms',
          ),
        ).toBe(true);
      } finally {
        await provider?.stop();
        await limited.stop();
      }
    });

    it('reports an unreachable host as a network failure', async () => {
      const gone = new MetalpriceApiSimulator();
      const goneUrl = await gone.start();
      await gone.stop();
      await start({ url: goneUrl });
      await waitFor(() => logger.has('warn', '(network, 1 in a row)'), 'a network failure');
    });

    it('stop() interrupts an in-flight request and delivers nothing after', async () => {
      sim.setPrices({ XAU: '2600.00' }, 1_700_003_000);
      sim.failNext('slow');
      const before = sim.requests.length;
      await start();
      await waitFor(() => sim.requests.length > before, 'the slow request');
      const started = Date.now();
      await provider!.stop();

      expect(Date.now() - started).toBeLessThan(100);
      await sleep(300);
      expect(quotes).toEqual([]);
      expect(sim.requests.length).toBe(before + 1);
    });
  });

  describe('binance', () => {
    const fast = {
      reconnectBaseMs: 40,
      reconnectMaxMs: 400,
      maxConnectionMs: 60_000,
      idleTimeoutMs: 5000,
      handshakeTimeoutMs: 1000,
    };
    let sim: BinanceSimulator;
    let url: string;
    let clock: number;

    beforeEach(async () => {
      sim = new BinanceSimulator({ pingIntervalMs: 25 });
      url = await sim.start();
      clock = 1_700_000_000_000;
    });
    afterEach(async () => {
      await provider?.stop();
      provider = undefined;
      await sim.stop();
    });

    const start = async (options: Partial<typeof fast> = {}): Promise<void> => {
      provider = new BinanceProvider({ ...fast, ...options, wsUrl: url }, SYMBOLS, {
        logger,
        now: () => clock,
        random: () => 0.5,
      });
      await provider.start(collect);
      await waitFor(() => sim.openConnections === 1, 'a connection');
    };

    it('subscribes to listed pairs only and quotes the rounded mid of the book', async () => {
      provider = createPriceProvider(
        marketConfig({ provider: 'binance', binanceWsUrl: url }),
        SYMBOLS,
        {
          logger,
          now: () => clock,
        },
      );
      await provider.start(collect);
      await waitFor(() => sim.openConnections === 1, 'a connection');

      expect(sim.connections).toEqual([['btcusdt@bookTicker']]);
      expect(logger.has('log', 'skipped: XAUUSD,XAGUSD,XPTUSD,EURUSD')).toBe(true);
      sim.bookTicker('BTCUSDT', '95000.01000000', '95000.02000000');
      await waitFor(() => quotes.length === 1, 'a quote');
      expect(quotes[0]).toEqual({ symbol: 'BTCUSD', price: '95000.02', ts: clock });
    });

    it('delivers a quote only when the rounded mid changes', async () => {
      await start();
      sim.bookTicker('BTCUSDT', '95000.00000000', '95000.02000000'); // 95000.01
      sim.bookTicker('BTCUSDT', '95000.00500000', '95000.01400000'); // 95000.0095 -> 95000.01
      sim.bookTicker('BTCUSDT', '95000.10000000', '95000.12000000'); // 95000.11
      await waitFor(() => quotes.length === 2, 'two quotes');
      await sleep(50);

      expect(quotes.map((q) => q.price)).toEqual(['95000.01', '95000.11']);
    });

    it('ignores garbage frames and keeps the connection', async () => {
      await start();
      sim.sendRaw('not json');
      sim.sendRaw('[1,2,3]');
      sim.sendRaw('{"result":null,"id":1}');
      sim.sendRaw('{"stream":"ethusdt@bookTicker","data":{"s":"ETHUSDT","b":"1","a":"2"}}');
      sim.sendRaw('{"stream":"btcusdt@bookTicker","data":{"s":"BTCUSDT","b":"NaN","a":"2"}}');
      sim.sendRaw('{"stream":"btcusdt@bookTicker","data":{"s":"BTCUSDT","b":"0","a":"0"}}');
      sim.sendRaw(Buffer.from([0xde, 0xad, 0xbe, 0xef]));
      sim.bookTicker('BTCUSDT', '100.00000000', '100.02000000');
      await waitFor(() => quotes.length === 1, 'the good frame');

      expect(quotes[0]!.price).toBe('100.01');
      expect(sim.connections).toHaveLength(1);
      expect(logger.has('warn', 'Ignored unexpected Binance frame (4 so far)')).toBe(true);
    });

    it('answers server pings', async () => {
      await start();
      await waitFor(() => sim.pongs >= 3, 'three pongs');
    });

    it('reconnects after the connection drops', async () => {
      await start();
      sim.dropAll();
      await waitFor(() => sim.connections.length === 2 && sim.openConnections === 1, 'a reconnect');
      sim.bookTicker('BTCUSDT', '90000.00', '90000.00');
      await waitFor(() => quotes.length === 1, 'a quote on the new connection');
      expect(logger.has('warn', 'Binance connection closed')).toBe(true);
    });

    it('reconnects with back-off across a server restart', async () => {
      await start();
      await sim.stop();
      await sleep(400); // several refused attempts: 20-40, 40-80, 80-160 ms...
      await sim.start();
      await waitFor(() => sim.openConnections === 1, 'a reconnect after restart');
      sim.bookTicker('BTCUSDT', '91000.00', '91000.00');
      await waitFor(() => quotes.length === 1, 'a quote after restart');

      const closes = logger.lines.filter((l) => l.message.startsWith('Binance connection closed'));
      expect(closes.length).toBeGreaterThanOrEqual(3);
      expect(closes.at(-1)!.message).toMatch(/reconnecting in \d+ ms \(attempt [3-9]\)/);
    });

    it("reconnects when the server ends the connection at its lifetime limit (Binance's 24 h)", async () => {
      await sim.stop();
      sim = new BinanceSimulator({ maxConnectionMs: 100 });
      url = await sim.start();
      await start();
      await waitFor(() => sim.connections.length >= 2 && sim.openConnections === 1, 'a reconnect');
    });

    it('refreshes its own connection before the lifetime limit', async () => {
      await start({ maxConnectionMs: 100 });
      await waitFor(() => sim.connections.length >= 2 && sim.openConnections === 1, 'a refresh');
      expect(logger.has('log', 'Refreshing the Binance connection')).toBe(true);
      expect(logger.has('warn', 'Binance connection closed')).toBe(false);
    });

    it('reconnects a connection that went silent (no frames, no pings)', async () => {
      await sim.stop();
      sim = new BinanceSimulator();
      url = await sim.start();
      await start({ idleTimeoutMs: 150 });
      await waitFor(() => sim.connections.length >= 2, 'a reconnect after silence');
      expect(logger.has('warn', 'No Binance frame for 150 ms')).toBe(true);
    });

    it('stop() closes the socket and never reconnects', async () => {
      await start();
      await provider!.stop();
      provider = undefined;
      await waitFor(() => sim.openConnections === 0, 'the server to see the close');
      sim.bookTicker('BTCUSDT', '92000.00', '92000.00');
      await sleep(200);

      expect(sim.connections).toHaveLength(1);
      expect(quotes).toEqual([]);
    });

    it('stop() while the server is down cancels the pending reconnect', async () => {
      await start();
      await sim.stop();
      await sleep(60);
      await provider!.stop();
      provider = undefined;
      await sim.start();
      await sleep(300);
      expect(sim.connections).toHaveLength(1);
    });
  });
});
