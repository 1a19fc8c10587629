import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';

export interface BinanceSimulatorOptions {
  /** Server ping interval (Binance: 20 s); pongs are counted in `pongs`. */
  pingIntervalMs?: number;
  /** Connection lifetime after which the server closes it (Binance: 24 h). */
  maxConnectionMs?: number;
}

// Binance rejects stream names that are not lower case `<symbol>@<stream>`.
const STREAM = /^[a-z0-9]+@[a-zA-Z0-9_]+$/;

/**
 * A local Binance market-stream server: `/stream?streams=a@bookTicker/b@bookTicker` upgrades
 * to a WebSocket that receives combined frames `{"stream":"btcusdt@bookTicker","data":{...}}`
 * for the streams it named. It can drop connections, send garbage, and stop and restart on the
 * same port.
 */
export class BinanceSimulator {
  /** Streams requested by each connection, in order of connection. */
  readonly connections: string[][] = [];
  pongs = 0;
  private http?: Server;
  private wss?: WebSocketServer;
  private port = 0;
  private updateId = 400_900_217;
  private readonly clients = new Map<WebSocket, Set<string>>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly options: BinanceSimulatorOptions = {}) {}

  /** Listens (again on the same port after stop()); resolves with the base URL. */
  async start(): Promise<string> {
    const http = createServer((_req, res) => {
      res.writeHead(404);
      res.end();
    });
    const wss = new WebSocketServer({ noServer: true });
    http.on('upgrade', (req, socket, head) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const streams = (url.searchParams.get('streams') ?? '').split('/').filter(Boolean);
      if (
        url.pathname !== '/stream' ||
        streams.length === 0 ||
        !streams.every((s) => STREAM.test(s))
      ) {
        socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n');

        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, streams));
    });
    this.http = http;
    this.wss = wss;
    await new Promise<void>((resolve) => http.listen(this.port, '127.0.0.1', resolve));
    this.port = (http.address() as AddressInfo).port;

    return this.url;
  }

  get url(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  get openConnections(): number {
    return this.clients.size;
  }

  /** Sends a bookTicker update to every connection subscribed to the pair's stream. */
  bookTicker(pair: string, bid: string, ask: string): void {
    const stream = `${pair.toLowerCase()}@bookTicker`;
    this.updateId += 1;
    const frame = JSON.stringify({
      stream,
      data: { u: this.updateId, s: pair, b: bid, B: '31.21000000', a: ask, A: '40.66000000' },
    });
    for (const [ws, streams] of this.clients) {
      if (streams.has(stream)) {
        ws.send(frame);
      }
    }
  }

  /** Sends a raw text (or binary) frame to every connection. */
  sendRaw(frame: string | Buffer): void {
    for (const ws of this.clients.keys()) {
      ws.send(frame);
    }
  }

  /** Cuts every connection without a close frame, like a network failure. */
  dropAll(): void {
    for (const ws of this.clients.keys()) {
      ws.terminate();
    }
  }

  /** Stops listening and cuts every connection; start() listens again on the same port. */
  async stop(): Promise<void> {
    for (const timer of this.timers) {
      clearInterval(timer);
      clearTimeout(timer);
    }
    this.timers.clear();
    this.dropAll();
    const { http, wss } = this;
    this.http = undefined;
    this.wss = undefined;
    if (wss) {
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    }
    if (http) {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    }
  }

  private accept(ws: WebSocket, streams: string[]): void {
    this.connections.push(streams);
    this.clients.set(ws, new Set(streams));
    ws.on('pong', () => {
      this.pongs += 1;
    });
    const timers: NodeJS.Timeout[] = [];
    if (this.options.pingIntervalMs) {
      timers.push(setInterval(() => ws.ping(), this.options.pingIntervalMs));
    }
    if (this.options.maxConnectionMs) {
      timers.push(
        setTimeout(() => ws.close(1000, 'connection lifetime'), this.options.maxConnectionMs),
      );
    }
    timers.forEach((timer) => this.timers.add(timer));
    ws.on('close', () => {
      this.clients.delete(ws);
      for (const timer of timers) {
        clearInterval(timer);
        clearTimeout(timer);
        this.timers.delete(timer);
      }
    });
  }
}
