import { gracefulShutdown, Public } from '@bourse/platform';
import { Controller, Get, Module } from '@nestjs/common';
import { connect } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from 'pino';
import { startApi, type TestServer } from '../setup/apps';

const SLOW_MS = 800;
const DRAIN_DELAY_MS = 300;

/** Lets the test wait until the slow request is really being handled. */
const slow = { started: Promise.withResolvers<void>(), finished: false };

@Public()
@Controller('test/shutdown')
class SlowController {
  @Get('slow')
  async slow(): Promise<{ done: true }> {
    slow.started.resolve();
    await delay(SLOW_MS);
    slow.finished = true;

    return { done: true };
  }
}

@Module({ controllers: [SlowController] })
class SlowTestModule {}

/** Resolves true when a new TCP connection to the port is refused. */
function refusesConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

describe('graceful shutdown', () => {
  let api: TestServer;

  beforeAll(async () => {
    api = await startApi({ SHUTDOWN_DRAIN_DELAY_MS: String(DRAIN_DELAY_MS) }, [SlowTestModule]);
  });

  it('fails readiness, drains in-flight requests, then refuses new connections', async () => {
    const port = Number(new URL(api.url).port);
    const logger = api.app.getHttpAdapter().getInstance().log as Logger;
    expect((await api.request('GET', '/health/ready')).status).toBe(200);

    const inFlight = api.request('GET', '/test/shutdown/slow');
    await slow.started.promise;
    const shutdown = gracefulShutdown(api.app, api.config, logger, 'test');

    // During the drain delay the server still accepts, and tells probes to stop sending.
    const ready = await api.request('GET', '/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.details.shutdown).toEqual({ status: 'down', message: 'SIGTERM received' });
    expect((await api.request('GET', '/health/live')).status).toBe(200);

    // Once the drain delay is over the listener closes while the slow request is still running.
    while (!(await refusesConnections(port))) {
      await delay(20);
    }
    expect(slow.finished).toBe(false);

    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ done: true });
    // Without it the client's keep-alive connection would hold the close open until its timeout.
    expect(res.headers.get('connection')).toBe('close');
    await shutdown;
    expect(await refusesConnections(port)).toBe(true);

    const messages = api.logs.lines.map((line) => line.msg);
    expect(messages).toEqual(expect.arrayContaining(['shutting down', 'shutdown complete']));
    expect(messages.indexOf('shutting down')).toBeLessThan(messages.indexOf('shutdown complete'));
  });
});
