import { loadConfig, MetricsServer, type Env, type ModuleImport } from '@bourse/platform';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Writable } from 'node:stream';
import { createApiApp } from '../../apps/api/src/api.app';
import { CLI_CONFIG_SECTIONS, type CliConfig } from '../../apps/cli/src/cli.config';

/**
 * A test's config: the run's database and Redis prefix, generous rate limits, quiet logs; with the
 * sections of every lib (the cli's: those of the api, the worker and the seed).
 */
export function testConfig(overrides: Env = {}): CliConfig {
  return loadConfig(
    {
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      RATE_LIMIT_PER_MINUTE: '1000000',
      AUTH_RATE_LIMIT_PER_MINUTE: '1000000',
      WEBHOOK_RATE_LIMIT_PER_MINUTE: '1000000',
      HOST: '127.0.0.1',
      API_METRICS_PORT: '0',
      WORKER_METRICS_PORT: '0',
      // Specs that need live prices opt in; others keep the shared test database free of live ticks.
      MARKET_PROVIDER: 'none',
      // Likewise the KYC vendor: specs that send cases to the Sumsub simulator opt in.
      KYC_VENDOR: 'none',
      ...overrides,
    },
    CLI_CONFIG_SECTIONS,
  );
}

/** Collects an app's JSON log lines in memory, so tests can read what was logged. */
export class LogCapture extends Writable {
  readonly lines: Record<string, unknown>[] = [];

  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.trim()) {
        this.lines.push(JSON.parse(line) as Record<string, unknown>);
      }
    }
    done();
  }
}

export interface HttpResult<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export interface RequestOptions {
  body?: unknown;
  token?: string;
  headers?: Record<string, string>;
}

/** A running app on a random loopback port, spoken to over real HTTP. */
export class TestServer {
  constructor(
    readonly app: NestFastifyApplication,
    readonly url: string,
    readonly config: CliConfig,
    readonly logs: LogCapture,
  ) {}

  async request<T = any>(
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<HttpResult<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.body !== undefined) {
      headers['content-type'] ??= 'application/json';
    }
    if (options.token) {
      headers.authorization = options.token.startsWith('ApiKey ')
        ? options.token
        : `Bearer ${options.token}`;
    }
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers,
      body:
        options.body === undefined
          ? undefined
          : typeof options.body === 'string'
            ? options.body
            : JSON.stringify(options.body),
    });
    const text = await response.text();
    const type = response.headers.get('content-type') ?? '';

    return {
      status: response.status,
      headers: response.headers,
      body: (type.includes('json') && text ? JSON.parse(text) : text) as T,
    };
  }

  /** A scrape of the app's metrics server (its own port, not the app's). */
  async metrics(): Promise<HttpResult<string>> {
    const response = await fetch(`${this.app.get(MetricsServer).url}/metrics`);

    return { status: response.status, headers: response.headers, body: await response.text() };
  }

  close(): Promise<void> {
    return this.app.close();
  }
}

export async function startApi(
  overrides: Env = {},
  imports: ModuleImport[] = [],
): Promise<TestServer> {
  const config = testConfig(overrides);
  const logs = new LogCapture();
  const app = await createApiApp(config, { logDestination: logs, imports });
  await app.listen({ port: 0, host: '127.0.0.1' });

  return new TestServer(app, await app.getUrl(), config, logs);
}
