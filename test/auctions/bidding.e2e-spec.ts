import { AuctionClosingService, countdownMs } from '@bourse/auctions';
import { Database, rows } from '@bourse/platform';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { closeNow, createAuction, expire, fund, usd } from '../factories/auctions';
import { ledgerOf, type LedgerServices } from '../factories/ledger';
import { signedInUser, type SignedInUser } from '../factories/users';
import { startApi, type TestServer } from '../setup/apps';

const ISO = expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/);
const UUID = expect.stringMatching(/^[0-9a-f-]{36}$/);

/**
 * Lots and bids over HTTP on the real stack: the conditional bid write, its refusals, proxy
 * bidding, the ledger holds and the settlement (run through the closing service, as the worker's
 * jobs do), with `verifyInvariants` clean at the end.
 */
describe('auctions: lots, bids, holds and settlement', () => {
  let api: TestServer;
  let db: Database;
  let ledger: LedgerServices;
  let admin: SignedInUser;

  const bid = (user: SignedInUser, auctionId: string, body: Record<string, unknown>) =>
    api.request('POST', `/v1/auctions/${auctionId}/bids`, {
      token: user.accessToken,
      body: { clientBidId: randomUUID(), ...body },
    });

  async function bidder(cents = 10_000_000n): Promise<SignedInUser> {
    const user = await signedInUser(api);
    await fund(ledger, user.id, cents);

    return user;
  }

  const bidRows = async (auctionId: string) =>
    (
      await rows<{ n: number }>(
        db.manager,
        `SELECT count(*)::int AS n FROM auction_bids WHERE auction_id = $1`,
        [auctionId],
      )
    )[0]!.n;

  beforeAll(async () => {
    api = await startApi();
    db = api.app.get(Database);
    ledger = ledgerOf(api.app);
    admin = await signedInUser(api, { role: 'admin' });
  });
  afterAll(async () => {
    expect(await ledger.statements.verifyInvariants()).toMatchObject({ ok: true });
    await api?.close();
  });

  it('lets an admin create a lot that anyone lists and reads with the server’s clock', async () => {
    const created = await createAuction(api, admin, {
      title: 'Jaguar E-Type',
      description: '1967, matching numbers',
      reservePrice: '2000000',
      increments: [
        { from: '0', step: '500' },
        { from: '50000', step: '1000' },
      ],
    });
    expect(created).toEqual({
      id: UUID,
      title: 'Jaguar E-Type',
      description: '1967, matching numbers',
      currency: 'USD',
      sellerId: null,
      startingPrice: '10000',
      hasReserve: true,
      reserveMet: false,
      increments: [
        { from: '0', step: '500' },
        { from: '50000', step: '1000' },
      ],
      extendSeconds: 30,
      state: 'scheduled',
      outcome: null,
      highest: null,
      leaderId: null,
      minimumBid: '10000',
      startsAt: ISO,
      endsAt: ISO,
      version: 0,
      bidCount: 0,
      images: [],
      serverNow: ISO,
    });
    expect(Date.parse(created.endsAt) - Date.parse(created.startsAt)).toBe(30_000);

    const read = await api.request('GET', `/v1/auctions/${created.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual({ ...created, serverNow: ISO });
    expect(Math.abs(Date.parse(read.body.serverNow) - Date.now())).toBeLessThan(5_000);

    const list = await api.request('GET', '/v1/auctions?limit=100');
    expect(list.status).toBe(200);
    expect(list.body.serverNow).toEqual(ISO);
    expect(list.body.items.map((a: { id: string }) => a.id)).toContain(created.id);

    const user = await signedInUser(api);
    const refused = await api.request('POST', '/v1/auctions', {
      token: user.accessToken,
      body: { title: 'x', startingPrice: '100' },
    });
    expect(refused.status).toBe(403);
    const bad = await api.request('POST', '/v1/auctions', {
      token: admin.accessToken,
      body: { title: 'x', startingPrice: '100', increments: [{ from: '10', step: '5' }] },
    });
    expect(bad.status).toBe(422);
    expect(bad.body).toMatchObject({ code: 'auctions.invalid', field: 'increments' });
  });

  it('accepts exactly one of 50 concurrent bids on the same seen highest; 49 get 409 with the new state', async () => {
    const bidders = await Promise.all(Array.from({ length: 50 }, () => bidder()));
    const lot = await createAuction(api, admin);
    const answers = await Promise.all(
      bidders.map((b) => bid(b, lot.id, { amount: '10000', seenHighest: null })),
    );

    const accepted = answers.filter((a) => a.status === 201);
    const refused = answers.filter((a) => a.status === 409);
    expect(answers.filter((a) => a.status !== 409)).toEqual([
      expect.objectContaining({ status: 201 }),
    ]);
    expect(accepted).toHaveLength(1);
    expect(refused).toHaveLength(49);
    const winner = accepted[0]!.body;
    expect(winner).toEqual({
      bidId: UUID,
      clientBidId: expect.any(String),
      auctionId: lot.id,
      amount: '10000',
      maxAmount: '10000',
      leading: true,
      highest: '10000',
      leaderId: expect.any(String),
      endsAt: ISO,
      version: 1,
      acceptedAt: ISO,
    });
    for (const r of refused) {
      expect(r.headers.get('content-type')).toContain('application/problem+json');
      expect(r.body).toMatchObject({
        status: 409,
        code: 'auctions.outbid',
        auctionId: lot.id,
        state: 'open',
        highest: '10000',
        leaderId: winner.leaderId,
        minimumBid: '10500',
        endsAt: winner.endsAt,
        version: 1,
        serverNow: ISO,
      });
    }
    expect(await bidRows(lot.id)).toBe(1);
    // Only the winner's money is held.
    const held = await Promise.all(bidders.map(async (b) => (await usd(ledger, b.id)).available));
    expect(held.filter((a) => a === 10_000_000n - 10_000n)).toHaveLength(1);
    expect(held.filter((a) => a === 10_000_000n)).toHaveLength(49);
  }, 180_000);

  it('refuses a bid below the increment with the minimum (422), and one nobody can pay', async () => {
    const lot = await createAuction(api, admin);
    const a = await bidder();
    expect((await bid(a, lot.id, { amount: '10000', seenHighest: null })).status).toBe(201);

    const low = await bid(await bidder(), lot.id, { amount: '10050', seenHighest: '10000' });
    expect(low.status).toBe(422);
    expect(low.body).toMatchObject({
      code: 'auctions.bid_too_low',
      field: 'amount',
      minimumBid: '10500',
      highest: '10000',
      version: 1,
    });

    const poor = await bidder(10_499n);
    const broke = await bid(poor, lot.id, { amount: '10500', seenHighest: '10000' });
    expect(broke.status).toBe(422);
    expect(broke.body).toMatchObject({
      code: 'auctions.insufficient_funds',
      field: 'maxAmount',
      required: '10500',
      currency: 'USD',
    });
    expect(await bidRows(lot.id)).toBe(1);
    expect((await api.request('GET', `/v1/auctions/${lot.id}`)).body).toMatchObject({
      highest: '10000',
      leaderId: a.id,
      version: 1,
    });
    expect(await usd(ledger, poor.id)).toEqual({ posted: 10_499n, available: 10_499n });

    const wrongMax = await bid(a, lot.id, {
      amount: '20000',
      maxAmount: '15000',
      seenHighest: '10000',
    });
    expect(wrongMax.status).toBe(422);
    expect(wrongMax.body).toMatchObject({ code: 'auctions.invalid', field: 'maxAmount' });
    const bad = await bid(a, lot.id, { amount: '1.5', seenHighest: 7 });
    expect(bad.status).toBe(400);
  });

  it('answers a retried bid (same client bid id) with the same bid, written once', async () => {
    const lot = await createAuction(api, admin);
    const a = await bidder();
    const body = { amount: '12000', seenHighest: null, clientBidId: 'retry-1' };
    const answers = await Promise.all([1, 2, 3, 4, 5].map(() => bid(a, lot.id, body)));
    expect(answers.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
    for (const r of answers) {
      expect(r.body).toEqual(answers[0]!.body);
    }
    const later = await bid(a, lot.id, body);
    expect(later.body).toEqual(answers[0]!.body);
    expect(await bidRows(lot.id)).toBe(1);
    expect((await usd(ledger, a.id)).available).toBe(10_000_000n - 12_000n);
  });

  it('bids by proxy: the price is the second maximum plus a step, a lower maximum is outbid at once', async () => {
    const lot = await createAuction(api, admin);
    const [a, b, c] = await Promise.all([bidder(), bidder(), bidder()]);

    const first = await bid(a, lot.id, { amount: '10000', maxAmount: '50000', seenHighest: null });
    expect(first.body).toMatchObject({ leading: true, highest: '10000', maxAmount: '50000' });
    expect((await usd(ledger, a.id)).available).toBe(10_000_000n - 50_000n);

    // B's maximum is below A's: B is outbid at once, the price is B's max plus one step.
    const second = await bid(b, lot.id, {
      amount: '20000',
      maxAmount: '30000',
      seenHighest: '10000',
    });
    expect(second.status).toBe(201);
    expect(second.body).toMatchObject({ leading: false, highest: '30500', leaderId: a.id });
    expect((await usd(ledger, b.id)).available).toBe(10_000_000n);

    // C beats A's maximum: C leads at A's max plus one step; A's hold is released.
    const third = await bid(c, lot.id, {
      amount: '31000',
      maxAmount: '90000',
      seenHighest: '30500',
    });
    expect(third.body).toMatchObject({ leading: true, highest: '50500', leaderId: c.id });
    expect((await usd(ledger, a.id)).available).toBe(10_000_000n);
    expect((await usd(ledger, c.id)).available).toBe(10_000_000n - 90_000n);

    // An equal maximum loses to the earlier one.
    const tie = await bid(a, lot.id, { amount: '52000', maxAmount: '90000', seenHighest: '50500' });
    expect(tie.body).toMatchObject({ leading: false, highest: '90000', leaderId: c.id });
    const read = await api.request('GET', `/v1/auctions/${lot.id}`);
    expect(read.body).toMatchObject({ highest: '90000', leaderId: c.id, version: 4, bidCount: 4 });

    // The outbid leader is told once, through notifications (push and in-app).
    const notes = await rows<{ user_id: string; channels: string[] }>(
      db.manager,
      `SELECT user_id, channels FROM notifications WHERE type = 'auctions.outbid' AND data->>'auctionId' = $1`,
      [lot.id],
    );
    expect(notes).toEqual([
      { user_id: a.id, channels: expect.arrayContaining(['push', 'in_app']) },
    ]);
  });

  it('settles a sold lot once however many closers run: hold posted at the price, seller paid less the fee', async () => {
    const seller = await signedInUser(api);
    const lot = await createAuction(api, admin, { sellerId: seller.id, reservePrice: '40000' });
    const [a, b] = await Promise.all([bidder(), bidder()]);
    await bid(a, lot.id, { amount: '10000', maxAmount: '30000', seenHighest: null });
    await bid(b, lot.id, { amount: '30500', maxAmount: '60000', seenHighest: '10000' });
    expect((await api.request('GET', `/v1/auctions/${lot.id}`)).body).toMatchObject({
      highest: '30500',
      reserveMet: true,
    });
    await expire(db, lot.id);

    const outcomes = await Promise.all(Array.from({ length: 8 }, () => closeNow(api, lot.id)));
    expect(outcomes.filter((o) => o === 'closed')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'skipped')).toHaveLength(7);
    expect(await closeNow(api, lot.id)).toBe('skipped');

    // The reserve (40000) is below B's maximum: the hammer price rises to it.
    const settlements = await rows(
      db.manager,
      `SELECT outcome, winner_id, price::text, fee::text FROM auction_settlements WHERE auction_id = $1`,
      [lot.id],
    );
    expect(settlements).toEqual([
      { outcome: 'sold', winner_id: b.id, price: '40000', fee: '2000' },
    ]);
    expect(await usd(ledger, b.id)).toEqual({
      posted: 10_000_000n - 40_000n,
      available: 10_000_000n - 40_000n,
    });
    expect(await usd(ledger, a.id)).toEqual({ posted: 10_000_000n, available: 10_000_000n });
    expect(await usd(ledger, seller.id)).toEqual({ posted: 38_000n, available: 38_000n });
    expect((await api.request('GET', `/v1/auctions/${lot.id}`)).body).toMatchObject({
      state: 'closed',
      outcome: 'sold',
      highest: '40000',
    });
    expect(await ledger.statements.verifyInvariants()).toMatchObject({ ok: true });
  });

  it('closes a lot unsold when the reserve is not met, releasing the holds', async () => {
    const lot = await createAuction(api, admin, { reservePrice: '1000000' });
    const [a, b] = await Promise.all([bidder(), bidder()]);
    await bid(a, lot.id, { amount: '10000', seenHighest: null });
    await bid(b, lot.id, { amount: '20000', seenHighest: '10000' });
    expect((await usd(ledger, a.id)).available).toBe(10_000_000n);
    expect((await usd(ledger, b.id)).available).toBe(10_000_000n - 20_000n);
    await expire(db, lot.id);

    expect(await closeNow(api, lot.id)).toBe('closed');
    expect(await usd(ledger, b.id)).toEqual({ posted: 10_000_000n, available: 10_000_000n });
    expect(
      await rows(
        db.manager,
        `SELECT outcome, winner_id, price FROM auction_settlements WHERE auction_id = $1`,
        [lot.id],
      ),
    ).toEqual([{ outcome: 'unsold', winner_id: null, price: null }]);
    const late = await bid(a, lot.id, { amount: '30000', seenHighest: '20000' });
    expect(late.status).toBe(410);
    expect(late.body).toMatchObject({ code: 'auctions.closed', state: 'closed' });
    expect(await ledger.statements.verifyInvariants()).toMatchObject({ ok: true });
  });

  it('refuses a bid just past ends_at at the server’s clock although a skewed client shows time left', async () => {
    const lot = await createAuction(api, admin, { extendSeconds: 1 });
    const a = await bidder();
    const read = await api.request('GET', `/v1/auctions/${lot.id}`);
    const receivedAt = Date.now();
    // A client whose clock runs 10 s behind, counting down from its own clock, thinks 10 s more.
    const skewed = Date.parse(read.body.endsAt) - (Date.now() - 10_000);
    expect(skewed).toBeGreaterThan(9_000);
    await sleep(Math.max(0, Date.parse(read.body.endsAt) - Date.parse(read.body.serverNow)) + 50);
    // The server-offset countdown says no time is left, and the server agrees.
    expect(countdownMs(read.body, receivedAt, Date.now())).toBe(0);

    const late = await bid(a, lot.id, { amount: '10000', seenHighest: null });
    expect(late.status).toBe(410);
    expect(late.body).toMatchObject({
      code: 'auctions.closed',
      auctionId: lot.id,
      highest: null,
      endsAt: read.body.endsAt,
    });
    expect(Date.parse(late.body.serverNow)).toBeGreaterThanOrEqual(Date.parse(read.body.endsAt));
    expect(await bidRows(lot.id)).toBe(0);
    expect(await usd(ledger, a.id)).toEqual({ posted: 10_000_000n, available: 10_000_000n });
  });

  it('extends the close to now + the timer on a late bid, never shortens it', async () => {
    const lot = await createAuction(api, admin, { extendSeconds: 20, durationSeconds: 3 });
    const a = await bidder();
    const accepted = await bid(a, lot.id, { amount: '10000', seenHighest: null });
    expect(accepted.status).toBe(201);
    const extendedBy = Date.parse(accepted.body.endsAt) - Date.parse(accepted.body.acceptedAt);
    expect(extendedBy).toBeGreaterThan(19_000);
    expect(extendedBy).toBeLessThanOrEqual(20_000);
    expect(Date.parse(accepted.body.endsAt)).toBeGreaterThan(Date.parse(lot.endsAt));
  });

  it('notifies each watcher once (push and in-app) when the lot opens, however often its start runs', async () => {
    const lot = await createAuction(api, admin, {
      startsAt: new Date(Date.now() + 60_000).toISOString(),
    });
    const [w1, w2] = await Promise.all([signedInUser(api), signedInUser(api)]);
    for (const w of [w1, w2, w1]) {
      const res = await api.request('POST', `/v1/auctions/${lot.id}/watch`, {
        token: w.accessToken,
      });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ auctionId: lot.id, watching: true });
    }
    const early = await bid(w1, lot.id, { amount: '10000', seenHighest: null });
    expect(early.status).toBe(409);
    expect(early.body).toMatchObject({ code: 'auctions.not_open' });

    await rows(
      db.manager,
      `UPDATE auctions SET starts_at = now() - interval '1 second' WHERE id = $1`,
      [lot.id],
    );
    const closing = api.app.get(AuctionClosingService);
    const runs = await Promise.all([1, 2, 3, 4].map(() => closing.start(lot.id)));
    expect(runs.filter(Boolean)).toHaveLength(1);
    const notes = await rows<{ user_id: string; id: string }>(
      db.manager,
      `SELECT user_id, id FROM notifications WHERE type = 'auctions.started' AND data->>'auctionId' = $1`,
      [lot.id],
    );
    expect(notes.map((n) => n.user_id).sort()).toEqual([w1.id, w2.id].sort());
    const jobs = await rows<{ job_id: string }>(
      db.manager,
      `SELECT job_id FROM outbox WHERE job_id LIKE ANY ($1)`,
      [notes.map((n) => `%${n.id}%`)],
    );
    // One push and one live in-app job per watcher (and the e-mail their preferences allow).
    expect(jobs.filter((j) => j.job_id.includes('push'))).toHaveLength(2);
    expect(jobs.filter((j) => j.job_id.startsWith('notifications-live:'))).toHaveLength(2);
    expect((await api.request('GET', `/v1/auctions/${lot.id}`)).body.state).toBe('open');
  });
});
