import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { MetricsService } from './metrics.service';

/** Which port of the config the process serves /metrics on (the api's or the worker's). */
export const METRICS_PORT = Symbol('METRICS_PORT');
export type MetricsPort = (config: AppConfig) => number;

/**
 * Serves GET /metrics, and nothing else, on its own port: the public port (behind an ingress or
 * a load balancer) never exposes the metrics, and only the scraper is let in by the
 * NetworkPolicy. A bare node:http server: no hooks, logs or limits of the app's HTTP stack.
 * It keeps answering until the app has shut down, so the drain stays visible.
 */
@Injectable()
export class MetricsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly server: Server;

  constructor(
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(METRICS_PORT) private readonly port: MetricsPort,
  ) {
    this.server = createServer((request, response) => {
      if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
        response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');

        return;
      }
      this.metrics.render().then(
        (text) =>
          response
            .writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' })
            .end(text),
        (error: unknown) =>
          response.writeHead(500, { 'content-type': 'text/plain' }).end(`${String(error)}\n`),
      );
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.port(this.config), this.config.http.host, () => resolve());
    });
  }

  /** `http://host:port` of the server (the bound port, when the config asked for port 0). */
  get url(): string {
    const { address, port } = this.server.address() as AddressInfo;

    return `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.server.listening) {
      return;
    }
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }
}
