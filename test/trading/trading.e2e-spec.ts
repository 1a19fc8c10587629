import { MarketKeys } from '@bourse/market-data';
import { Database, REDIS, rows } from '@bourse/platform';
import type Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { passKyc } from '../factories/kyc';
import { ledgerOf, type LedgerServices } from '../factories/ledger';
import { enrolTwoFactor } from '../factories/two-factor';
import { signedInUser, type SignedInUser } from '../factories/users';
import { startApi, type TestServer } from '../setup/apps';

/**
 * Quotes and orders over HTTP on the real stack: prices in Redis as the worker's tick pipeline
 * leaves them, settlement through the ledger, `verifyInvariants` clean at the end.
 * Defaults: half-spread 50 bps, fee 25 bps, quotes live 8 s, prices stale after 5 s.
 */
describe('trading: quotes and orders', () => {
  let api: TestServer;
  let db: Database;
  let redis: Redis;
  let ledger: LedgerServices;
  let compliance: SignedInUser;
  let seq = 0;

  /** A tick of `symbol` at `price`, `ageMs` old. */
  const tick = (symbol: string, price: string, ageMs = 0) =>
    redis.hset(
      MarketKeys.lastPrices,
      symbol,
      JSON.stringify({ symbol, price, ts: Date.now() - ageMs, seq: ++seq }),
    );

  const post = (user: SignedInUser, path: string, body: unknown, key?: string) =>
    api.request('POST', `/v1/trading/${path}`, {
      token: user.accessToken,
      body,
      headers: key ? { 'idempotency-key': key } : {},
    });

  const quote = (user: SignedInUser, body: Record<string, string>) => post(user, 'quotes', body);

  /** The prices every scenario starts from, ticked now. */
  const freshPrices = async () => {
    await tick('XAUUSD', '2650.00');
    await tick('XAGUSD', '31.250');
  };

  /**
   * A user who passed KYC (tier basic). The prices are ticked again after: making a user (password
   * hashing, KYC review) can take longer than the 5 s a price stays fresh on a busy host.
   */
  async function trader(): Promise<SignedInUser> {
    const user = await signedInUser(api);
    await passKyc(api, user, compliance);
    await freshPrices();

    return user;
  }

  /** A trader with `cents` in their USD wallet, deposited from clearing. */
  async function fundedUser(cents: bigint): Promise<SignedInUser> {
    const user = await trader();
    const clearing = await ledger.accounts.ensureSystemAccount('psp_clearing', 'USD');
    const wallet = await ledger.accounts.ensureWallet(user.id, 'USD');
    await ledger.transfers.transfer({
      id: randomUUID(),
      debitAccountId: clearing.id,
      creditAccountId: wallet.id,
      amount: cents,
      asset: 'USD',
      code: 'deposit',
    });

    return user;
  }

  const balance = async (userId: string, asset: string): Promise<bigint> =>
    (await ledger.accounts.getAccount((await ledger.accounts.ensureWallet(userId, asset)).id))!
      .balance.posted;

  const written = async (userId: string) => {
    const [counts] = await rows<{ orders: string; transfers: string }>(
      db.manager,
      `SELECT (SELECT count(*) FROM trading_orders WHERE user_id = $1) AS orders,
              (SELECT count(*) FROM ledger_transfers t JOIN ledger_accounts a
                  ON a.id IN (t.debit_account_id, t.credit_account_id)
                WHERE a.owner = $1::text AND t.code LIKE 'trading.%') AS transfers`,
      [userId],
    );

    return { orders: Number(counts!.orders), transfers: Number(counts!.transfers) };
  };

  beforeAll(async () => {
    api = await startApi();
    db = api.app.get(Database);
    redis = api.app.get(REDIS);
    ledger = ledgerOf(api.app);
    compliance = await signedInUser(api, { role: 'compliance' });
  });
  beforeEach(freshPrices);
  afterEach(() => jest.restoreAllMocks());
  afterAll(async () => {
    // Every scenario above moved money only through balanced transfers.
    expect(await ledger.statements.verifyInvariants()).toMatchObject({ ok: true });
    await api.close();
  });

  it('quotes a buy by weight at the ask, with the fee and an expiry a few seconds out', async () => {
    const user = await trader();
    const before = Date.now();

    const res = await quote(user, { metal: 'XAU', side: 'buy', weight: '10000' });

    expect(res.status).toBe(201);
    // 10 g at 2663.25 per troy ounce is 856.2596 USD: 85626 cents, rounded up; fee 25 bps, up.
    expect(res.body).toMatchObject({
      metal: 'XAU',
      side: 'buy',
      currency: 'USD',
      price: '2663.25',
      mid: '2650.00',
      weight: '10000',
      gross: '85626',
      fee: '215',
      total: '85841',
    });
    const ttl = Date.parse(res.body.expiresAt) - before;
    expect(ttl).toBeGreaterThan(7000);
    expect(ttl).toBeLessThanOrEqual(8000 + (Date.now() - before));
    const [stored] = await rows(db.manager, `SELECT total FROM trading_quotes WHERE id = $1`, [
      res.body.id,
    ]);
    expect(stored).toEqual({ total: '85841' });
  });

  it('quotes by amount: a buy spends at most it, a sell receives at least it', async () => {
    const user = await trader();

    const buy = await quote(user, { metal: 'XAG', side: 'buy', amount: '10000' });
    const sell = await quote(user, { metal: 'XAG', side: 'sell', amount: '10000' });

    expect(buy.status).toBe(201);
    expect(buy.body).toMatchObject({ price: '31.407', mid: '31.250' });
    expect(BigInt(buy.body.total)).toBeLessThanOrEqual(10000n);
    expect(BigInt(buy.body.total)).toBeGreaterThan(9990n);
    expect(sell.status).toBe(201);
    expect(sell.body).toMatchObject({ price: '31.093' });
    expect(BigInt(sell.body.total)).toBeGreaterThanOrEqual(10000n);
    expect(BigInt(sell.body.total)).toBeLessThan(10010n);
  });

  it.each([
    ['both amount and weight', { amount: '100', weight: '100' }, 'weight'],
    ['neither amount nor weight', {}, 'amount'],
    ['an amount that buys no milligram', { amount: '1' }, 'amount'],
  ])('refuses a quote with %s (422 naming the field)', async (_case, fields, field) => {
    const user = await signedInUser(api);

    const res = await quote(user, { metal: 'XAU', side: 'buy', ...fields });

    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body).toMatchObject({ code: expect.stringMatching(/^trading\./), field });
  });

  it('refuses an unknown metal or side as a bad request naming the field', async () => {
    const user = await signedInUser(api);

    const metal = await quote(user, { metal: 'XBT', side: 'buy', weight: '1' });
    const side = await quote(user, { metal: 'XAU', side: 'hold', weight: '1' });

    for (const [res, field] of [
      [metal, 'metal'],
      [side, 'side'],
    ] as const) {
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'validation.failed', errors: [{ field }] });
    }
  });

  it('refuses to quote on a stale price, or on none, and stores nothing', async () => {
    const user = await signedInUser(api);
    await tick('XAUUSD', '2650.00', 6000);
    await redis.hdel(MarketKeys.lastPrices, 'XPTUSD');

    const stale = await quote(user, { metal: 'XAU', side: 'buy', weight: '1000' });
    const none = await quote(user, { metal: 'XPT', side: 'buy', weight: '1000' });

    expect(stale.status).toBe(503);
    expect(stale.body).toMatchObject({ code: 'trading.price_stale', symbol: 'XAUUSD' });
    expect(stale.body.ageMs).toBeGreaterThanOrEqual(6000);
    expect(none.status).toBe(503);
    expect(none.body).toMatchObject({ code: 'trading.price_stale', symbol: 'XPTUSD' });
    expect(
      await rows(db.manager, `SELECT 1 FROM trading_quotes WHERE user_id = $1`, [user.id]),
    ).toEqual([]);
  });

  it('executes at the quoted price after spot moved, in one transaction with its three legs', async () => {
    const user = await fundedUser(100_000n);
    const q = await quote(user, { metal: 'XAU', side: 'buy', weight: '10000' });
    await tick('XAUUSD', '2800.00');

    const res = await post(user, 'orders', { quoteId: q.body.id });

    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      quoteId: q.body.id,
      side: 'buy',
      price: '2663.25',
      weight: '10000',
      gross: '85626',
      fee: '215',
      total: '85841',
    });
    expect(await balance(user.id, 'USD')).toBe(100_000n - 85_841n);
    expect(await balance(user.id, 'XAU')).toBe(10_000n);
    const legs = await rows<{ code: string; asset: string; amount: string; same_tx: boolean }>(
      db.manager,
      `SELECT t.code, t.asset, t.amount::text, t.xmin = o.xmin AS same_tx
         FROM ledger_transfers t JOIN trading_orders o ON o.id::text = t.metadata->>'orderId'
        WHERE o.id = $1 ORDER BY t.asset, t.code`,
      [res.body.id],
    );
    expect(legs).toEqual([
      { code: 'trading.buy', asset: 'USD', amount: '85626', same_tx: true },
      { code: 'trading.fee', asset: 'USD', amount: '215', same_tx: true },
      { code: 'trading.buy', asset: 'XAU', amount: '10000', same_tx: true },
    ]);
  });

  it('refuses an expired quote with 409 and writes nothing', async () => {
    const user = await fundedUser(100_000n);
    const q = await quote(user, { metal: 'XAU', side: 'buy', weight: '1000' });
    const expiresAt = Date.parse(q.body.expiresAt);
    jest.spyOn(Date, 'now').mockReturnValue(expiresAt);

    const res = await post(user, 'orders', { quoteId: q.body.id }, randomUUID());

    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'trading.quote_expired', quoteId: q.body.id });
    expect(await written(user.id)).toEqual({ orders: 0, transfers: 0 });
    expect(await balance(user.id, 'USD')).toBe(100_000n);
  });

  it('answers a replayed order with the same bytes, and refuses the quote under another key', async () => {
    const user = await fundedUser(100_000n);
    const q = await quote(user, { metal: 'XAU', side: 'buy', weight: '1000' });
    const key = randomUUID();

    const first = await post(user, 'orders', { quoteId: q.body.id }, key);
    const replay = await post(user, 'orders', { quoteId: q.body.id }, key);
    const again = await post(user, 'orders', { quoteId: q.body.id }, randomUUID());

    expect(first.status).toBe(201);
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(JSON.stringify(replay.body)).toBe(JSON.stringify(first.body));
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'trading.quote_used', orderId: first.body.id });
    expect(await written(user.id)).toEqual({ orders: 1, transfers: 3 });
  });

  it('refuses a buy the cash wallet cannot pay, and another user’s quote, writing nothing', async () => {
    const poor = await fundedUser(1_000n);
    const other = await fundedUser(100_000n);
    const q = await quote(poor, { metal: 'XAU', side: 'buy', weight: '10000' });

    const theirs = await post(other, 'orders', { quoteId: q.body.id });
    const short = await post(poor, 'orders', { quoteId: q.body.id });

    expect(theirs.status).toBe(404);
    expect(theirs.body).toMatchObject({ code: 'trading.quote_not_found' });
    expect(short.status).toBe(422);
    expect(short.body).toMatchObject({ code: 'ledger.insufficient_funds' });
    expect(await written(poor.id)).toEqual({ orders: 0, transfers: 0 });
    expect(await written(other.id)).toEqual({ orders: 0, transfers: 0 });
    expect(await balance(poor.id, 'USD')).toBe(1_000n);
  });

  it('50 concurrent sells of more gold than held: 10 fill, the rest are refused, no overdraft', async () => {
    const user = await fundedUser(1_000_000n);
    const buy = await quote(user, { metal: 'XAU', side: 'buy', weight: '10000' });
    expect((await post(user, 'orders', { quoteId: buy.body.id })).status).toBe(201);
    const sells = await Promise.all(
      Array.from({ length: 50 }, () => quote(user, { metal: 'XAU', side: 'sell', weight: '1000' })),
    );
    const cashBefore = await balance(user.id, 'USD');
    // The scenario is about funds, not the clock: the orders run at the instant the last quote was
    // made, when all 50 are live (quoting and ordering 50 times can outlast 8 s on a busy host).
    const lastQuotedAt = Math.max(...sells.map((q) => Date.parse(q.body.expiresAt))) - 8000;
    jest.spyOn(Date, 'now').mockReturnValue(lastQuotedAt);

    const results = await Promise.all(
      sells.map((q) => post(user, 'orders', { quoteId: q.body.id }, randomUUID())),
    );

    const filled = results.filter((r) => r.status === 201);
    const refused = results.filter((r) => r.status !== 201);
    expect(filled).toHaveLength(10);
    expect(refused.map((r) => [r.status, r.body.code])).toEqual(
      Array.from({ length: 40 }, () => [422, 'ledger.insufficient_funds']),
    );
    expect(await balance(user.id, 'XAU')).toBe(0n);
    const received = filled.reduce((sum, r) => sum + BigInt(r.body.total), 0n);
    expect(await balance(user.id, 'USD')).toBe(cashBefore + received);
    expect(await written(user.id)).toEqual({ orders: 11, transfers: 33 });
    const holdings = await api.request('GET', '/v1/trading/holdings', { token: user.accessToken });
    expect(holdings.body).toEqual([]);
    expect(await ledger.statements.verifyInvariants()).toMatchObject({ ok: true });
  });

  it('asks a seller who turned two-factor on for a recent step-up; a buy asks none', async () => {
    const user = await fundedUser(1_000_000n);
    const { recoveryCodes } = await enrolTwoFactor(api, user);
    // Confirming the enrolment proved the factor; let that proof age past the limit.
    await rows(
      api.app.get(Database).manager,
      `UPDATE auth_sessions SET stepped_up_at = now() - interval '1 hour' WHERE user_id = $1`,
      [user.id],
    );
    await freshPrices();
    const buy = await quote(user, { metal: 'XAU', side: 'buy', weight: '1000' });
    expect((await post(user, 'orders', { quoteId: buy.body.id })).status).toBe(201);
    const sell = await quote(user, { metal: 'XAU', side: 'sell', weight: '1000' });

    const refused = await post(user, 'orders', { quoteId: sell.body.id });
    const stepUp = await api.request('POST', '/v1/me/step-up', {
      token: user.accessToken,
      body: { recoveryCode: recoveryCodes[0] },
    });
    const sold = await post(user, 'orders', { quoteId: sell.body.id });

    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('auth.step_up_required');
    expect(stepUp.status).toBe(200);
    expect(sold.status).toBe(201);
    expect(sold.body).toMatchObject({ side: 'sell', weight: '1000' });
    expect(await balance(user.id, 'XAU')).toBe(0n);
    expect(await ledger.statements.verifyInvariants()).toMatchObject({ ok: true });
  });

  it('values holdings at the live bid with cost basis and P/L, and pages order history', async () => {
    const user = await fundedUser(1_000_000n);
    for (const weight of ['10000', '5000']) {
      const q = await quote(user, { metal: 'XAU', side: 'buy', weight });
      expect((await post(user, 'orders', { quoteId: q.body.id })).status).toBe(201);
    }
    const sell = await quote(user, { metal: 'XAU', side: 'sell', weight: '5000' });
    expect((await post(user, 'orders', { quoteId: sell.body.id })).status).toBe(201);
    await tick('XAUUSD', '2800.00');

    const res = await api.request('GET', '/v1/trading/holdings', { token: user.accessToken });

    expect(res.status).toBe(200);
    // Bought 10 g for 85841 and 5 g for 42921 (42813 + fee 108); selling 5 g of 15 took a third
    // of the cost: 128762 − 42920 = 85842. 10 g at the 2786.00 bid is 89571 cents, rounded down.
    expect(res.body).toEqual([
      {
        metal: 'XAU',
        weight: '10000',
        currency: 'USD',
        costBasis: '85842',
        averageCostPerGram: '8584',
        price: '2786.00',
        value: '89571',
        unrealisedPnl: '3729',
      },
    ]);

    const first = await api.request('GET', '/v1/trading/orders?limit=2', {
      token: user.accessToken,
    });
    const rest = await api.request(
      'GET',
      `/v1/trading/orders?limit=2&cursor=${first.body.nextCursor}`,
      { token: user.accessToken },
    );
    expect(first.body.items.map((o: { side: string }) => o.side)).toEqual(['sell', 'buy']);
    expect(rest.body.items.map((o: { weight: string }) => o.weight)).toEqual(['10000']);
    expect(rest.body.nextCursor).toBeUndefined();
    const bad = await api.request('GET', '/v1/trading/orders?cursor=abc', {
      token: user.accessToken,
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'trading.invalid_cursor' });
  });

  it('refuses to quote or execute without KYC, naming the tier needed', async () => {
    const user = await signedInUser(api);

    const res = await quote(user, { metal: 'XAU', side: 'buy', weight: '1000' });

    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ code: 'kyc.required', requiredTier: 'basic', tier: 'none' });
  });

  it('counts orders against the tier’s daily limit: the one that no longer fits writes nothing', async () => {
    const user = await fundedUser(2_000_000n);
    // Basic tier: 1,000,000 cents of buys a day. 70 g at 2663.25 is 600,878 cents with its fee.
    const first = await quote(user, { metal: 'XAU', side: 'buy', weight: '70000' });
    const second = await quote(user, { metal: 'XAU', side: 'buy', weight: '70000' });
    const tooBig = await quote(user, { metal: 'XAU', side: 'buy', weight: '120000' });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(tooBig.status).toBe(422);
    expect(tooBig.body).toMatchObject({
      code: 'kyc.limit_exceeded',
      tier: 'basic',
      kind: 'buy',
      period: 'daily',
      remaining: '1000000',
    });

    expect((await post(user, 'orders', { quoteId: first.body.id })).status).toBe(201);
    const refused = await post(user, 'orders', { quoteId: second.body.id });

    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({
      code: 'kyc.limit_exceeded',
      remaining: (1_000_000n - BigInt(first.body.total)).toString(),
    });
    expect(await written(user.id)).toEqual({ orders: 1, transfers: 3 });
    const kyc = await api.request('GET', '/v1/kyc', { token: user.accessToken });
    expect(kyc.body.limits).toContainEqual({
      kind: 'buy',
      daily: '1000000',
      monthly: '5000000',
      remainingToday: (1_000_000n - BigInt(first.body.total)).toString(),
    });
  });
});
