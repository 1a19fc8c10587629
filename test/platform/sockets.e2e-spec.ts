import {
  Database,
  DomainError,
  SocketEmitter,
  SocketExceptionFilter,
  SocketGateways,
  SocketGatewaysModule,
  SocketServer,
} from '@bourse/platform';
import { Module, UseFilters } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
  type OnGatewayInit,
} from '@nestjs/websockets';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Namespace, Socket } from 'socket.io';
import { io as connect, type Socket as ClientSocket } from 'socket.io-client';
import { signedInUser, type SignedInUser } from '../factories/users';
import { startApi, type TestServer } from '../setup/apps';
import { startWorker } from '../setup/worker';

const NAMESPACE = '/test-sockets';
const MAX_CONNECTIONS_PER_IP = 3;
const EVENTS_PER_SECOND = 5;

class AuctionClosedError extends DomainError {
  readonly code = 'test.auction_closed';
  readonly status = 409;
}

/** A lib's authenticated namespace, built with the platform's toolkit only. */
@UseFilters(SocketExceptionFilter)
@WebSocketGateway({ namespace: NAMESPACE })
class AuctionsGateway implements OnGatewayInit {
  constructor(private readonly gateways: SocketGateways) {}

  afterInit(namespace: Namespace): void {
    this.gateways.setup(namespace, {
      auth: 'required',
      maxConnectionsPerIp: MAX_CONNECTIONS_PER_IP,
    });
  }

  @SubscribeMessage('watch')
  async watch(@ConnectedSocket() socket: Socket, @MessageBody() auctionId: string) {
    await socket.join(`auction:${auctionId}`);

    return { ok: true };
  }

  @SubscribeMessage('ping')
  ping() {
    return { ok: true };
  }

  @SubscribeMessage('bid')
  bid(): never {
    throw new AuctionClosedError('The auction has closed');
  }

  @SubscribeMessage('crash')
  crash(): never {
    throw new Error('a detail the client must not see');
  }
}

@Module({ imports: [SocketGatewaysModule], providers: [AuctionsGateway] })
class AuctionsModule {}

// Its own prefix: the adapter's channels (and so what these nodes hear) are this file's alone.
const prefix = `${process.env.REDIS_KEY_PREFIX}-sockets-${randomUUID().slice(0, 8)}`;
const env = {
  REDIS_KEY_PREFIX: prefix,
  SOCKET_EVENTS_PER_SECOND: String(EVENTS_PER_SECOND),
  // No revocation polls after boot: a socket closed on the other node was closed through Redis.
  AUTH_REVOCATION_POLL_MS: '3600000',
};
const clients: ClientSocket[] = [];
const servers: TestServer[] = [];
let nodeA: TestServer;
let nodeB: TestServer;
let worker: TestServer;

beforeAll(async () => {
  [nodeA, nodeB, worker] = await Promise.all([
    startApi(env, [AuctionsModule]),
    startApi(env, [AuctionsModule]),
    startWorker({ REDIS_KEY_PREFIX: prefix }),
  ]);
  servers.push(nodeA, nodeB, worker);
});

// Every test starts with no sockets, so the per-address cap sees only its own.
afterEach(async () => {
  clients.splice(0).forEach((client) => client.disconnect());
  await until(() => servers.every((server) => socketsOn(server) === 0));
});

afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
});

function socketsOn(server: TestServer): number {
  return server.app.get(SocketServer).io.of(NAMESPACE).sockets.size;
}

async function until(done: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) {
      throw new Error('timed out');
    }
    await sleep(10);
  }
}

type Opened = { ok: true; client: ClientSocket } | { ok: false; data: unknown };

function open(server: TestServer, token?: string): Promise<Opened> {
  const client = connect(`${server.url}${NAMESPACE}`, {
    auth: token ? { token } : {},
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
  clients.push(client);

  return new Promise((resolve) => {
    client.once('connect', () => resolve({ ok: true, client }));
    client.once('connect_error', (error: Error & { data?: unknown }) =>
      resolve({ ok: false, data: error.data }),
    );
  });
}

async function connected(server: TestServer, user: { accessToken: string }): Promise<ClientSocket> {
  const opened = await open(server, user.accessToken);
  if (!opened.ok) {
    throw new Error(`connect failed: ${JSON.stringify(opened.data)}`);
  }

  return opened.client;
}

/** A client's events of one name, in arrival order. */
function received(client: ClientSocket, event: string): unknown[] {
  const items: unknown[] = [];
  client.on(event, (item: unknown) => items.push(item));

  return items;
}

/** Resolves with the reason once the server has closed the socket. */
function disconnection(client: ClientSocket): Promise<string> {
  return new Promise((resolve) => client.once('disconnect', (reason) => resolve(reason)));
}

/** A second session of the same user (another device). */
async function signInAgain(server: TestServer, user: SignedInUser): Promise<SignedInUser> {
  const res = await server.request('POST', '/v1/auth/login', {
    body: { email: user.email, password: user.password },
  });

  return { ...user, accessToken: res.body.accessToken, refreshToken: res.body.refreshToken };
}

describe('Socket.IO across api nodes', () => {
  it("delivers a worker's emit to a user's sockets on both nodes, and to nobody else", async () => {
    const [alice, bob] = await Promise.all([signedInUser(nodeA), signedInUser(nodeA)]);
    const sockets = {
      aliceA: await connected(nodeA, alice),
      aliceB: await connected(nodeB, alice),
      bobA: await connected(nodeA, bob),
      bobB: await connected(nodeB, bob),
    };
    const notes = Object.fromEntries(
      Object.entries(sockets).map(([name, client]) => [name, received(client, 'note')]),
    );

    const auctions = worker.app.get(SocketEmitter).namespace(NAMESPACE);
    auctions.toUser(alice.id, 'note', { to: 'alice' });
    // Published after alice's on the same connection, so heard after it on every node.
    auctions.toUser(bob.id, 'note', { to: 'bob' });

    await until(() => Object.values(notes).every((items) => items.length > 0));
    expect(notes).toEqual({
      aliceA: [{ to: 'alice' }],
      aliceB: [{ to: 'alice' }],
      bobA: [{ to: 'bob' }],
      bobB: [{ to: 'bob' }],
    });
  });

  it('lets any node emit to a room whose sockets joined on other nodes', async () => {
    const user = await signedInUser(nodeA);
    const [watcherA, watcherB, other] = [
      await connected(nodeA, user),
      await connected(nodeB, user),
      await connected(nodeB, user),
    ];
    expect(await watcherA.emitWithAck('watch', 'a1')).toEqual({ ok: true });
    expect(await watcherB.emitWithAck('watch', 'a1')).toEqual({ ok: true });
    expect(await other.emitWithAck('watch', 'a2')).toEqual({ ok: true });
    const bids = [watcherA, watcherB, other].map((client) => received(client, 'bid_placed'));

    const auctions = nodeB.app.get(SocketEmitter).namespace(NAMESPACE);
    auctions.toRoom('auction:a1', 'bid_placed', { auction: 'a1' });
    auctions.toRoom('auction:a2', 'bid_placed', { auction: 'a2' });

    await until(() => bids.every((items) => items.length > 0));
    expect(bids).toEqual([[{ auction: 'a1' }], [{ auction: 'a1' }], [{ auction: 'a2' }]]);
  });

  it("a logout closes that session's sockets on both nodes, and only those", async () => {
    const phone = await signedInUser(nodeA);
    const laptop = await signInAgain(nodeA, phone);
    const bystander = await signedInUser(nodeA);
    const [phoneA, phoneB] = [await connected(nodeA, phone), await connected(nodeB, phone)];
    const survivors = [
      await connected(nodeA, laptop),
      await connected(nodeB, laptop),
      await connected(nodeB, bystander),
    ];
    const closed = [disconnection(phoneA), disconnection(phoneB)];

    const res = await nodeA.request('POST', '/v1/auth/logout', {
      body: { refreshToken: phone.refreshToken },
    });
    expect(res.status).toBe(204);

    expect(await Promise.all(closed)).toEqual(['io server disconnect', 'io server disconnect']);
    for (const client of survivors) {
      expect(await client.emitWithAck('ping')).toEqual({ ok: true });
    }
    // Its token is refused at the next handshake, on the node that ended it.
    expect(await open(nodeA, phone.accessToken)).toMatchObject({
      ok: false,
      data: { code: 'auth.invalid_token' },
    });
  });

  it("disabling a user closes all of the user's sockets on both nodes", async () => {
    const admin = await signedInUser(nodeA, { role: 'admin' });
    const phone = await signedInUser(nodeA);
    const laptop = await signInAgain(nodeA, phone);
    const bystander = await signedInUser(nodeA);
    const sockets = [
      await connected(nodeA, phone),
      await connected(nodeB, phone),
      await connected(nodeB, laptop),
    ];
    const survivor = await connected(nodeA, bystander);
    const closed = sockets.map(disconnection);

    const res = await nodeB.request('POST', `/v1/admin/users/${phone.id}/disable`, {
      token: admin.accessToken,
      body: {},
    });
    expect(res.status).toBe(200);

    expect(await Promise.all(closed)).toEqual(Array(3).fill('io server disconnect'));
    expect(await survivor.emitWithAck('ping')).toEqual({ ok: true });
  });

  it('a node closes the sockets of a session its revocation poll learns was ended elsewhere', async () => {
    // Polls often, and hears no adapter message: the session ends in Postgres only.
    const polling = await startApi(
      { ...env, AUTH_REVOCATION_POLL_MS: '100', REDIS_KEY_PREFIX: `${prefix}-alone` },
      [AuctionsModule],
    );
    servers.push(polling);
    const user = await signedInUser(polling);
    const client = await connected(polling, user);
    const closed = disconnection(client);

    await polling.app
      .get(Database)
      .manager.query(
        'UPDATE refresh_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL',
        [user.id],
      );

    expect(await closed).toBe('io server disconnect');
  });
});

describe('the gateway toolkit', () => {
  it('answers events over the per-socket rate limit in their ack', async () => {
    const client = await connected(nodeA, await signedInUser(nodeA));
    const acks = await Promise.all(
      Array.from({ length: EVENTS_PER_SECOND + 2 }, () => client.emitWithAck('ping')),
    );

    expect(acks.slice(0, EVENTS_PER_SECOND)).toEqual(Array(EVENTS_PER_SECOND).fill({ ok: true }));
    expect(acks.slice(EVENTS_PER_SECOND)).toEqual(
      Array(2).fill({
        ok: false,
        error: {
          code: 'socket.rate_limited',
          message: `More than ${EVENTS_PER_SECOND} events per second on this connection`,
        },
      }),
    );
    // The bucket refills: one event a fifth of a second.
    await sleep(1000 / EVENTS_PER_SECOND + 50);
    expect(await client.emitWithAck('ping')).toEqual({ ok: true });
    const metrics = (await nodeA.metrics()).body;
    expect(metrics).toMatch(
      new RegExp(`^socket_events_rate_limited_total\\{namespace="${NAMESPACE}"\\} 2$`, 'm'),
    );
  });

  it("maps a handler's DomainError to the ack, and hides an unexpected error", async () => {
    const client = await connected(nodeA, await signedInUser(nodeA));

    expect(await client.emitWithAck('bid', { amount: '10' })).toEqual({
      ok: false,
      error: { code: 'test.auction_closed', message: 'The auction has closed' },
    });
    expect(await client.emitWithAck('crash')).toEqual({
      ok: false,
      error: { code: 'internal', message: 'Internal error' },
    });
    expect(client.connected).toBe(true);
  });

  it('refuses anonymous clients of an authenticated namespace', async () => {
    expect(await open(nodeA)).toEqual({
      ok: false,
      data: { code: 'auth.unauthenticated', status: 401 },
    });
  });

  it('caps connections per client address on each node', async () => {
    const user = await signedInUser(nodeA);
    const first = await connected(nodeA, user);
    for (let i = 1; i < MAX_CONNECTIONS_PER_IP; i++) {
      await connected(nodeA, user);
    }
    expect(await open(nodeA, user.accessToken)).toEqual({
      ok: false,
      data: { code: 'socket.too_many_connections', status: 429 },
    });
    // Per node: the other node admits the same address.
    await connected(nodeB, user);

    first.disconnect();
    await until(() => socketsOn(nodeA) < MAX_CONNECTIONS_PER_IP);
    expect((await open(nodeA, user.accessToken)).ok).toBe(true);
  });
});
