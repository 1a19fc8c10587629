import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One scripted failure, served instead of the next successful response. */
export type MetalpriceFailure =
  | 'invalid-key-200' // success:false with HTTP 200, as metalpriceapi reports many errors
  | 'unauthorized' // HTTP 401 with the error body
  | 'rate-limited' // HTTP 429 with the error body and Retry-After
  | 'server-error' // HTTP 500 with an HTML page, as a failing proxy serves
  | 'slow' // the right answer, after `slowMs` (longer than the client's timeout)
  | 'malformed'; // HTTP 200 with truncated JSON

export interface MetalpriceSimulatorOptions {
  key?: string;
  slowMs?: number;
  retryAfterSeconds?: number;
}

/**
 * A local metalpriceapi.com: `GET /v1/latest?api_key=&base=USD&currencies=A,B` answers in its
 * wire format, `{"success":true,"base":"USD","timestamp":<s>,"rates":{"XAU":<per USD>,
 * "USDXAU":<USD per XAU>,...}}`, with only the requested currencies. Prices are written into the
 * JSON as given (number text, never re-printed by a float), so tests control the exact digits.
 */
export class MetalpriceApiSimulator {
  readonly key: string;
  /** Query strings of every request received, newest last. */
  readonly requests: URLSearchParams[] = [];
  /** Arrival times (ms) of those requests. */
  readonly requestTimes: number[] = [];
  private server?: Server;
  private readonly failures: MetalpriceFailure[] = [];
  private prices: Record<string, string> = {};
  private timestamp = 1_700_000_000;
  private inverseKeys = true;
  private readonly slowMs: number;
  private readonly retryAfterSeconds: number;
  private readonly pending = new Set<NodeJS.Timeout>();

  constructor(options: MetalpriceSimulatorOptions = {}) {
    this.key = options.key ?? 'sim-key';
    this.slowMs = options.slowMs ?? 1000;
    this.retryAfterSeconds = options.retryAfterSeconds ?? 0;
  }

  async start(): Promise<string> {
    const server = createServer((req, res) => this.handle(req, res));
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

    return this.url;
  }

  /** Base URL including the version, as METALPRICEAPI_URL. */
  get url(): string {
    const { port } = this.server!.address() as AddressInfo;

    return `http://127.0.0.1:${port}/v1`;
  }

  /** USD per unit of each currency (e.g. XAU: '2650.125'), served from now on with `timestamp`. */
  setPrices(prices: Record<string, string>, timestamp: number): void {
    this.prices = prices;
    this.timestamp = timestamp;
  }

  /** Whether `USD<CUR>` keys are served (otherwise clients must invert `<CUR>`). */
  serveInverseKeys(on: boolean): void {
    this.inverseKeys = on;
  }

  failNext(kind: MetalpriceFailure, times = 1): void {
    for (let i = 0; i < times; i++) {
      this.failures.push(kind);
    }
  }

  async stop(): Promise<void> {
    for (const timer of this.pending) {
      clearTimeout(timer);
    }
    const server = this.server;
    if (!server) {
      return;
    }
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    this.requests.push(url.searchParams);
    this.requestTimes.push(Date.now());
    if (req.method !== 'GET' || url.pathname !== '/v1/latest') {
      return this.error(res, 404, 103, 'Invalid API endpoint.');
    }
    const key = url.searchParams.get('api_key') ?? req.headers['x-api-key'];
    if (!key) {
      return this.error(res, 200, 101, 'Missing API Key.');
    }
    if (key !== this.key) {
      return this.error(res, 200, 101, 'Invalid API Key.');
    }
    const failure = this.failures.shift();
    switch (failure) {
      case 'invalid-key-200':
        return this.error(res, 200, 101, 'Invalid API Key.');
      case 'unauthorized':
        return this.error(res, 401, 101, 'Unauthorized.');
      case 'rate-limited':
        res.setHeader('retry-after', String(this.retryAfterSeconds));

        return this.error(res, 429, 429, 'Too many requests.');
      case 'server-error':
        res.writeHead(500, { 'content-type': 'text/html' });
        res.end('<html><body><h1>500 Internal Server Error</h1></body></html>');

        return;
      case 'malformed':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"success":true,"base":"USD","timestamp":17000');

        return;
      case 'slow': {
        const timer = setTimeout(() => {
          this.pending.delete(timer);
          this.latest(res, url.searchParams);
        }, this.slowMs);
        this.pending.add(timer);

        return;
      }
      case undefined:
        return this.latest(res, url.searchParams);
    }
  }

  private latest(res: ServerResponse, query: URLSearchParams): void {
    if ((query.get('base') ?? 'USD') !== 'USD') {
      return this.error(res, 200, 201, 'Invalid base currency (the simulator serves USD only).');
    }
    const wanted = (query.get('currencies') ?? Object.keys(this.prices).join(','))
      .split(',')
      .filter((code) => code in this.prices);
    const rates = wanted.flatMap((code) => {
      const price = this.prices[code]!;
      const perUsd = `"${code}":${(1 / Number(price)).toPrecision(10)}`;

      return this.inverseKeys ? [perUsd, `"USD${code}":${price}`] : [perUsd];
    });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      `{"success":true,"base":"USD","timestamp":${this.timestamp},"rates":{${rates.join(',')}}}`,
    );
  }

  private error(res: ServerResponse, status: number, code: number, message: string): void {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ success: false, error: { statusCode: code, message } }));
  }
}
