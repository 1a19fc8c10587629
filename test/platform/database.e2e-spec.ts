import { dataSourceOptions } from '@bourse/platform';
import { createServer, type Socket } from 'node:net';
import { DataSource } from 'typeorm';
import { testConfig } from '../setup/apps';

describe('database pool', () => {
  it('gives up on a Postgres that accepts but never answers after DATABASE_CONNECT_TIMEOUT_MS', async () => {
    // A blackhole: TCP connects, the startup message is never answered.
    const sockets: Socket[] = [];
    const blackhole = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => blackhole.listen(0, '127.0.0.1', resolve));
    const { port } = blackhole.address() as { port: number };
    const { database } = testConfig({
      DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/bourse`,
      DATABASE_CONNECT_TIMEOUT_MS: '300',
    });
    const source = new DataSource(dataSourceOptions(database, { applicationName: 'bourse-spec' }));
    const started = Date.now();
    try {
      await expect(source.initialize()).rejects.toThrow(/timeout/i);
      expect(Date.now() - started).toBeLessThan(5000);
      expect(sockets.length).toBeGreaterThan(0);
    } finally {
      sockets.forEach((socket) => socket.destroy());
      await new Promise((resolve) => blackhole.close(resolve));
    }
  });
});
