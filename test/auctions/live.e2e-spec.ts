import {
  AUCTIONS_NAMESPACE,
  countdownMs,
  type AuctionSnapshot,
  type BidEvent,
  type ClosedEvent,
  type ExtendedEvent,
} from '@bourse/auctions';
import { Database, dataSourceOptions, rows } from '@bourse/platform';
import { SIMULATOR_CREDENTIALS } from '@bourse/storage';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect, type Socket } from 'socket.io-client';
import sharp from 'sharp';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { S3Simulator } from '../../simulators/s3/s3.simulator';
import { createAuction, fund } from '../factories/auctions';
import { ledgerOf } from '../factories/ledger';
import { signedInUser, type SignedInUser } from '../factories/users';
import { startApi, testConfig, type TestServer } from '../setup/apps';
import { adminQuery, TEST_DB_ENV, testDatabaseUrl } from '../setup/test-env';
import { startWorker } from '../setup/worker';

// The worker's relay takes every outbox row: this file's nodes and worker get a database and
// Redis prefix of their own.
const DATABASE = `${process.env[TEST_DB_ENV]}_auctions_live`;
const BUCKET = 'bourse-test-auctions';
const REGION = 'eu-west-1';
const ISO = expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/);

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
 * The live lot across two api nodes and the worker: snapshots at the server's clock, bids over
 * the socket, `bid`/`extended`/`closed` heard on both nodes, the close by the worker's job.
 */
describe('auctions live: two api nodes and the worker', () => {
  let nodeA: TestServer;
  let nodeB: TestServer;
  let worker: TestServer;
  let s3: S3Simulator;
  let admin: SignedInUser;
  const sockets: Socket[] = [];

  async function watcher(node: TestServer, token?: string) {
    const socket = connect(`${node.url}${AUCTIONS_NAMESPACE}`, {
      auth: token ? { token } : {},
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    sockets.push(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    const heard = {
      bid: [] as BidEvent[],
      extended: [] as ExtendedEvent[],
      closed: [] as ClosedEvent[],
    };
    socket.on('bid', (e: BidEvent) => heard.bid.push(e));
    socket.on('extended', (e: ExtendedEvent) => heard.extended.push(e));
    socket.on('closed', (e: ClosedEvent) => heard.closed.push(e));

    return { socket, heard };
  }

  async function bidder(node: TestServer): Promise<SignedInUser> {
    const user = await signedInUser(node);
    await fund(ledgerOf(node.app), user.id, 1_000_000n);

    return user;
  }

  beforeAll(async () => {
    s3 = new S3Simulator({
      credentials: [SIMULATOR_CREDENTIALS],
      region: REGION,
      buckets: [BUCKET],
    });
    await s3.start();
    const env = {
      STORAGE_S3_ENDPOINT: s3.url,
      STORAGE_S3_REGION: REGION,
      STORAGE_S3_BUCKET: BUCKET,
      DATABASE_URL: testDatabaseUrl(DATABASE),
      REDIS_KEY_PREFIX: `${process.env.REDIS_KEY_PREFIX}-auctions-live`,
      OUTBOX_RELAY_INTERVAL_MS: '20',
      AUCTIONS_SWEEP_INTERVAL_SECONDS: '1',
    };
    await adminQuery(`CREATE DATABASE ${DATABASE}`);
    const source = new DataSource(
      dataSourceOptions({ ...testConfig(env).database, poolSize: 2 }, { migrations: MIGRATIONS }),
    );
    await source.initialize();
    await source.runMigrations();
    await source.destroy();
    [nodeA, nodeB, worker] = await Promise.all([startApi(env), startApi(env), startWorker(env)]);
    admin = await signedInUser(nodeA, { role: 'admin' });
  });
  afterAll(async () => {
    sockets.forEach((s) => s.disconnect());
    if (nodeA) {
      expect(await ledgerOf(nodeA.app).statements.verifyInvariants()).toMatchObject({ ok: true });
    }
    await worker?.close();
    await nodeA?.close();
    await nodeB?.close();
    await s3?.stop();
    await adminQuery(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
  });

  it('answers join with a snapshot at the server’s clock, from which a skewed client counts down right', async () => {
    const lot = await createAuction(nodeA, admin, { extendSeconds: 60 });
    const { socket } = await watcher(nodeB);
    const receivedAt = Date.now();
    const ack = (await socket.emitWithAck('join', { auctionId: lot.id })) as {
      ok: true;
      snapshot: AuctionSnapshot;
    };
    expect(ack).toEqual({
      ok: true,
      snapshot: {
        auctionId: lot.id,
        state: expect.stringMatching(/^(scheduled|open)$/),
        outcome: null,
        highest: null,
        leaderId: null,
        minimumBid: '10000',
        startsAt: lot.startsAt,
        endsAt: lot.endsAt,
        version: 0,
        bidCount: 0,
        serverNow: ISO,
      },
    });
    // A client clock an hour fast (or slow) only measures the time since the snapshot arrived.
    const skew = 3_600_000;
    const elapsed = 2_000;
    const truth = Date.parse(lot.endsAt) - Date.parse(ack.snapshot.serverNow) - elapsed;
    expect(countdownMs(ack.snapshot, receivedAt + skew, receivedAt + skew + elapsed)).toBe(truth);
    expect(countdownMs(ack.snapshot, receivedAt - skew, receivedAt - skew + elapsed)).toBe(truth);
    // Counting down from its own clock instead would be an hour off.
    expect(Math.abs(Date.parse(lot.endsAt) - (receivedAt + skew) - truth)).toBeGreaterThan(
      3_000_000,
    );

    const missing = await socket.emitWithAck('join', { auctionId: randomUUID() });
    expect(missing).toEqual({
      ok: false,
      error: { code: 'auctions.not_found', message: expect.any(String) },
    });
  });

  it('extends the close on a late bid and every watcher on both nodes hears it; then the worker closes it once', async () => {
    const [a, b] = await Promise.all([bidder(nodeA), bidder(nodeB)]);
    const lot = await createAuction(nodeA, admin, { extendSeconds: 4, durationSeconds: 3 });
    const onA = await watcher(nodeA);
    const onB = await watcher(nodeB);
    const bidding = await watcher(nodeB, b.accessToken);
    for (const w of [onA, onB, bidding]) {
      expect(await w.socket.emitWithAck('join', { auctionId: lot.id })).toMatchObject({ ok: true });
    }
    await sleep(1_500);

    // A late bid over the socket on node B: accepted, the close moves to now + 4 s.
    const ack = await bidding.socket.emitWithAck('bid', {
      auctionId: lot.id,
      amount: '10000',
      seenHighest: null,
      clientBidId: 'b-1',
    });
    expect(ack).toEqual({
      ok: true,
      bid: {
        bidId: expect.any(String),
        clientBidId: 'b-1',
        auctionId: lot.id,
        amount: '10000',
        maxAmount: '10000',
        leading: true,
        highest: '10000',
        leaderId: b.id,
        endsAt: ISO,
        version: 1,
        acceptedAt: ISO,
      },
    });
    const endsAt = (ack as { bid: { endsAt: string } }).bid.endsAt;
    expect(Date.parse(endsAt)).toBeGreaterThan(Date.parse(lot.endsAt));
    for (const w of [onA, onB]) {
      await waitFor(
        () => w.heard.extended.length,
        (n) => n > 0,
      );
      expect(w.heard.bid).toEqual([
        {
          auctionId: lot.id,
          highest: '10000',
          leaderId: b.id,
          minimumBid: '10500',
          endsAt,
          version: 1,
          bidCount: 1,
          acceptedAt: ISO,
          serverNow: ISO,
        },
      ]);
      expect(w.heard.extended).toEqual([{ auctionId: lot.id, endsAt, version: 1, serverNow: ISO }]);
    }

    // A stale bid over REST on node A: 409 with the state to bid again on.
    const stale = await nodeA.request('POST', `/v1/auctions/${lot.id}/bids`, {
      token: a.accessToken,
      body: { amount: '10000', seenHighest: null, clientBidId: 'a-1' },
    });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({
      code: 'auctions.outbid',
      highest: '10000',
      leaderId: b.id,
      minimumBid: '10500',
      endsAt,
      version: 1,
    });
    // The same refusal over the socket carries the state in its ack.
    const { socket: aSocket } = await watcher(nodeA, a.accessToken);
    const refused = await aSocket.emitWithAck('bid', {
      auctionId: lot.id,
      amount: '10000',
      seenHighest: null,
      clientBidId: 'a-2',
    });
    expect(refused).toEqual({
      ok: false,
      error: { code: 'auctions.outbid', message: expect.any(String) },
      state: {
        auctionId: lot.id,
        state: 'open',
        highest: '10000',
        leaderId: b.id,
        minimumBid: '10500',
        endsAt,
        version: 1,
        serverNow: ISO,
      },
    });

    // No more bids: the worker's job closes the lot at its end, once, and both nodes hear it.
    for (const w of [onA, onB]) {
      await waitFor(
        () => w.heard.closed.length,
        (n) => n > 0,
      );
    }
    await sleep(1_500); // the sweeper runs every second: it must not close it again
    for (const w of [onA, onB]) {
      expect(w.heard.closed).toEqual([
        {
          auctionId: lot.id,
          state: 'closed',
          outcome: 'sold',
          price: '10000',
          winnerId: b.id,
          serverNow: ISO,
        },
      ]);
    }
    expect(Date.parse(onA.heard.closed[0]!.serverNow)).toBeGreaterThanOrEqual(Date.parse(endsAt));
    const settlements = await rows(
      nodeA.app.get(Database).manager,
      `SELECT outcome, winner_id, price::text FROM auction_settlements WHERE auction_id = $1`,
      [lot.id],
    );
    expect(settlements).toEqual([{ outcome: 'sold', winner_id: b.id, price: '10000' }]);
    const late = await nodeB.request('POST', `/v1/auctions/${lot.id}/bids`, {
      token: b.accessToken,
      body: { amount: '10500', seenHighest: '10000', clientBidId: 'b-2' },
    });
    expect(late.status).toBe(410);
  }, 60_000);

  it('adds a verified auction.image upload to the gallery, whose thumbnail anyone can read', async () => {
    const lot = await createAuction(nodeA, admin);
    const png = await sharp({
      create: { width: 1200, height: 800, channels: 3, background: '#b5121b' },
    })
      .png()
      .toBuffer();
    const created = await nodeA.request('POST', '/v1/uploads', {
      token: admin.accessToken,
      body: { purpose: 'auction.image', contentType: 'image/png', size: png.length },
    });
    expect(created.status).toBe(201);
    const { uploadId, url, fields } = created.body as {
      uploadId: string;
      url: string;
      fields: Record<string, string>;
    };
    const early = await nodeA.request('POST', `/v1/auctions/${lot.id}/images`, {
      token: admin.accessToken,
      body: { uploadId },
    });
    expect(early.status).toBe(422);
    expect(early.body).toMatchObject({ code: 'auctions.invalid_image', field: 'uploadId' });

    const form = new FormData();
    Object.entries(fields).forEach(([name, value]) => form.append(name, value));
    form.append('file', new Blob([new Uint8Array(png)]), 'lot.png');
    expect((await fetch(url, { method: 'POST', body: form })).status).toBe(204);
    const completed = await nodeA.request('POST', `/v1/uploads/${uploadId}/complete`, {
      token: admin.accessToken,
    });
    expect(completed.body).toMatchObject({ state: 'verified' });

    const added = await nodeA.request('POST', `/v1/auctions/${lot.id}/images`, {
      token: admin.accessToken,
      body: { uploadId },
    });
    expect(added.status).toBe(201);
    expect(added.body.images).toEqual([
      { uploadId, path: `/v1/auctions/${lot.id}/images/${uploadId}` },
    ]);
    await waitFor(
      async () =>
        (await nodeA.request('GET', `/v1/uploads/${uploadId}`, { token: admin.accessToken })).body,
      (upload: { thumbnail: string }) => upload.thumbnail === 'ready',
    );

    // Signed out, through the lot: presigned GETs of the original and of the thumbnail.
    for (const variant of ['original', 'thumbnail']) {
      const read = await nodeB.request(
        'GET',
        `/v1/auctions/${lot.id}/images/${uploadId}?variant=${variant}`,
      );
      expect(read.status).toBe(200);
      expect(read.body).toEqual({ url: expect.any(String), expiresAt: ISO });
      const image = await fetch(read.body.url);
      expect(image.status).toBe(200);
      const meta = await sharp(Buffer.from(await image.arrayBuffer())).metadata();
      expect(
        variant === 'original'
          ? { format: meta.format, width: meta.width }
          : { format: meta.format, fits: Math.max(meta.width!, meta.height!) <= 480 },
      ).toEqual(
        variant === 'original' ? { format: 'png', width: 1200 } : { format: 'webp', fits: true },
      );
    }
    const stranger = await nodeB.request('GET', `/v1/auctions/${lot.id}/images/${randomUUID()}`);
    expect(stranger.status).toBe(422);
  }, 60_000);
});
