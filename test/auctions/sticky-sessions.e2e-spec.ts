import { AUCTIONS_NAMESPACE, type BidEvent } from '@bourse/auctions';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect, type Socket } from 'socket.io-client';
import { createAuction, fund } from '../factories/auctions';
import { ledgerOf } from '../factories/ledger';
import { signedInUser } from '../factories/users';
import { startApi, type TestServer } from '../setup/apps';
import { startNginx, type Nginx } from '../setup/nginx';

const WATCHERS = 12;

async function waitFor<T>(probe: () => T | Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > deadline) {
      return value;
    }
    await sleep(50);
  }
}

/**
 * Two api nodes behind Debian's nginx, as behind an ingress: with long-polling on, a client must
 * keep reaching the node that holds its Engine.IO session. Affinity by cookie keeps it there
 * (zero "Session ID unknown"), while plain round robin loses it; bids accepted on either node
 * reach the watchers on both through the Redis adapter.
 */
describe('auctions behind nginx with sticky sessions', () => {
  let nodeA: TestServer;
  let nodeB: TestServer;
  let nginx: Nginx;
  const sockets: Socket[] = [];

  /** A watcher on polling first, upgrading to WebSocket, with its affinity cookie. */
  function client(port: number, affinity: string) {
    const errors: string[] = [];
    const socket = connect(`http://127.0.0.1:${port}${AUCTIONS_NAMESPACE}`, {
      transports: ['polling', 'websocket'],
      extraHeaders: { cookie: `affinity=${affinity}` },
      reconnection: false,
      forceNew: true,
    });
    sockets.push(socket);
    socket.on('connect_error', (error: Error) => errors.push(error.message));
    const connected = new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    // An unhandled failure is the test's to see through `errors`, not the process's.
    connected.catch(() => undefined);

    return { socket, errors, connected };
  }

  beforeAll(async () => {
    [nodeA, nodeB] = await Promise.all([startApi(), startApi()]);
    const backends = [new URL(nodeA.url), new URL(nodeB.url)];
    nginx = await startNginx([
      { balancing: 'hash $cookie_affinity consistent;', backends },
      { balancing: '', backends },
    ]);
  });
  afterAll(async () => {
    sockets.forEach((s) => s.disconnect());
    await nginx?.stop();
    await nodeA?.close();
    await nodeB?.close();
  });

  it('keeps polling-then-upgrade clients on their node, and every watcher hears bids from both nodes', async () => {
    const admin = await signedInUser(nodeA, { role: 'admin' });
    const [a, b] = await Promise.all([signedInUser(nodeA), signedInUser(nodeB)]);
    await fund(ledgerOf(nodeA.app), a.id, 1_000_000n);
    await fund(ledgerOf(nodeA.app), b.id, 1_000_000n);
    const lot = await createAuction(nodeA, admin, { extendSeconds: 120 });

    const watchers = Array.from({ length: WATCHERS }, () => {
      const w = client(nginx.ports[0]!, randomUUID());
      const bids: BidEvent[] = [];
      w.socket.on('bid', (e: BidEvent) => bids.push(e));

      return { ...w, bids };
    });
    for (const w of watchers) {
      await w.connected;
      expect(await w.socket.emitWithAck('join', { auctionId: lot.id })).toMatchObject({ ok: true });
    }
    // Each upgraded from polling to WebSocket on the node holding its session.
    await waitFor(
      () => watchers.filter((w) => w.socket.io.engine.transport.name === 'websocket').length,
      (n) => n === WATCHERS,
    );
    expect(watchers.map((w) => w.socket.io.engine.transport.name)).toEqual(
      Array(WATCHERS).fill('websocket'),
    );

    // Bids accepted on node A, then on node B, directly.
    const first = await nodeA.request('POST', `/v1/auctions/${lot.id}/bids`, {
      token: a.accessToken,
      body: { amount: '10000', seenHighest: null, clientBidId: 'a' },
    });
    expect(first.status).toBe(201);
    const second = await nodeB.request('POST', `/v1/auctions/${lot.id}/bids`, {
      token: b.accessToken,
      body: { amount: '10500', seenHighest: '10000', clientBidId: 'b' },
    });
    expect(second.status).toBe(201);
    await waitFor(
      () => watchers.filter((w) => w.bids.length === 2).length,
      (n) => n === WATCHERS,
    );
    for (const w of watchers) {
      expect(w.bids.map((e) => [e.highest, e.leaderId])).toEqual([
        ['10000', a.id],
        ['10500', b.id],
      ]);
    }

    const log = await nginx.accessLog();
    const sticky = log.filter((line) => line.startsWith(`${nginx.ports[0]} `));
    const polls = sticky.filter((line) => line.includes('/socket.io/'));
    // Both nodes held sessions, and no request of a session reached the other node.
    const upstreams = new Set(polls.map((line) => line.split(' ')[2]));
    expect(upstreams).toEqual(new Set([new URL(nodeA.url).host, new URL(nodeB.url).host]));
    expect(polls.filter((line) => line.split(' ')[1] === '400')).toEqual([]);
    expect(watchers.flatMap((w) => w.errors)).toEqual([]);
  }, 90_000);

  it('loses polling sessions without affinity ("Session ID unknown"): the control that the proxy matters', async () => {
    const attempts = Array.from({ length: 6 }, () => client(nginx.ports[1]!, randomUUID()));
    await sleep(3_000);
    const log = await nginx.accessLog();
    const unknown = log.filter(
      (line) => line.startsWith(`${nginx.ports[1]} 400 `) && line.includes('/socket.io/'),
    );
    expect(unknown.length).toBeGreaterThan(0);
    expect(attempts).toHaveLength(6);
  });
});
