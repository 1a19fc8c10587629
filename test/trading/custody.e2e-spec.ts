import { MarketKeys } from '@bourse/market-data';
import { dataSourceOptions, REDIS, rows } from '@bourse/platform';
import type Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { CustodySimulator } from '../../simulators/custody/custody.simulator';
import { passKyc } from '../factories/kyc';
import { ledgerOf, type LedgerServices } from '../factories/ledger';
import { signedInUser, type SignedInUser } from '../factories/users';
import { startApi, testConfig, type TestServer } from '../setup/apps';
import { adminQuery, TEST_DB_ENV, testDatabaseUrl } from '../setup/test-env';
import { startWorker } from '../setup/worker';

// The worker reconciles every user balance of its database and relays every outbox row: this
// file's api and worker get a database and Redis prefix of their own.
const DATABASE = `${process.env[TEST_DB_ENV]}_custody`;
const API_KEY = 'custody-spec-key';
const ACCOUNT = 'SPEC-CLIENT-METALS';

async function waitFor<T>(probe: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await probe();
    if (done(value)) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`condition not met within 30 s; last value ${JSON.stringify(value)}`);
    }
    await sleep(50);
  }
}

/**
 * Custody against the custodian simulator: each order's settlement instruction, and the
 * reconciliation (every second here) of the users' metal with the statement, which reports a
 * planted break by row, admin endpoint, metric and log, and corrects nothing.
 */
describe('trading: custody instructions and reconciliation', () => {
  let custody: CustodySimulator;
  let api: TestServer;
  let worker: TestServer;
  let db: DataSource;
  let redis: Redis;
  let ledger: LedgerServices;
  let compliance: SignedInUser;
  let admin: SignedInUser;
  let seq = 0;

  const query = <T>(sql: string, params: unknown[] = []) => rows<T>(db.manager, sql, params);
  const freshPrices = () =>
    redis.hset(
      MarketKeys.lastPrices,
      'XAUUSD',
      JSON.stringify({ symbol: 'XAUUSD', price: '2650.00', ts: Date.now(), seq: ++seq }),
    );
  const trade = async (user: SignedInUser, side: string, weight: string) => {
    await freshPrices();
    const q = await api.request('POST', '/v1/trading/quotes', {
      token: user.accessToken,
      body: { metal: 'XAU', side, weight },
    });
    const order = await api.request('POST', '/v1/trading/orders', {
      token: user.accessToken,
      body: { quoteId: q.body.id },
    });
    expect(order.status).toBe(201);

    return order.body as { id: string };
  };
  const goldOf = async (userId: string) =>
    (await ledger.accounts.getAccount((await ledger.accounts.ensureWallet(userId, 'XAU')).id))!
      .balance.posted;
  const latestXau = () =>
    query<{ ledger_mg: string; custodian_mg: string; difference_mg: string }>(
      `SELECT ledger_mg, custodian_mg, difference_mg FROM trading_custody_reconciliations
        WHERE metal = 'XAU' ORDER BY bucket DESC LIMIT 1`,
    );

  beforeAll(async () => {
    custody = new CustodySimulator({ apiKey: API_KEY, account: ACCOUNT });
    await custody.start();
    const env = {
      DATABASE_URL: testDatabaseUrl(DATABASE),
      REDIS_KEY_PREFIX: `${process.env.REDIS_KEY_PREFIX}-custody`,
      OUTBOX_RELAY_INTERVAL_MS: '20',
      TRADING_CUSTODY_API_URL: custody.url,
      TRADING_CUSTODY_API_KEY: API_KEY,
      TRADING_CUSTODY_ACCOUNT: ACCOUNT,
      TRADING_RECONCILE_INTERVAL_SECONDS: '1',
    };
    await adminQuery(`CREATE DATABASE ${DATABASE}`);
    db = new DataSource(
      dataSourceOptions({ ...testConfig(env).database, poolSize: 2 }, { migrations: MIGRATIONS }),
    );
    await db.initialize();
    await db.runMigrations();
    [api, worker] = await Promise.all([startApi(env), startWorker(env)]);
    redis = api.app.get(REDIS);
    ledger = ledgerOf(api.app);
    [compliance, admin] = await Promise.all([
      signedInUser(api, { role: 'compliance' }),
      signedInUser(api, { role: 'admin' }),
    ]);
  });
  afterAll(async () => {
    await worker?.close();
    await api?.close();
    await custody?.stop();
    await db?.destroy();
    await adminQuery(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
  });

  it('moves each order’s metal in or out of custody once, and reconciles clean', async () => {
    const user = await signedInUser(api);
    await passKyc(api, user, compliance);
    const clearing = await ledger.accounts.ensureSystemAccount('psp_clearing', 'USD');
    await ledger.transfers.transfer({
      id: randomUUID(),
      debitAccountId: clearing.id,
      creditAccountId: (await ledger.accounts.ensureWallet(user.id, 'USD')).id,
      amount: 5_000_000n,
      asset: 'USD',
      code: 'deposit',
    });

    const bought = await trade(user, 'buy', '10000');
    const sold = await trade(user, 'sell', '4000');

    await waitFor(
      async () => custody.positions.get('XAU'),
      (mg) => mg === 6000n,
    );
    expect([...custody.instructions.values()]).toEqual([
      expect.objectContaining({ reference: bought.id, direction: 'RECEIVE', quantity: '10.000' }),
      expect.objectContaining({ reference: sold.id, direction: 'DELIVER', quantity: '4.000' }),
    ]);
    expect(await goldOf(user.id)).toBe(6000n);
    const [clean] = await waitFor(latestXau, ([row]) => row?.custodian_mg === '6000');
    expect(clean).toEqual({ ledger_mg: '6000', custodian_mg: '6000', difference_mg: '0' });
  });

  it('reports a planted break by row, admin endpoint, metric and log, and corrects nothing', async () => {
    await waitFor(latestXau, ([row]) => row?.difference_mg === '0' && row.ledger_mg === '6000');
    const planted = await fetch(`${custody.url}/_simulator/positions/XAU`, {
      method: 'PUT',
      body: JSON.stringify({ quantity: '4.766' }),
    });
    expect(planted.status).toBe(200);

    const [found] = await waitFor(latestXau, ([row]) => row?.difference_mg !== '0');
    expect(found).toEqual({ ledger_mg: '6000', custodian_mg: '4766', difference_mg: '-1234' });

    const listed = await api.request('GET', '/v1/admin/trading/custody/reconciliations?limit=3', {
      token: admin.accessToken,
    });
    expect(listed.status).toBe(200);
    expect(listed.body.items).toHaveLength(3);
    expect(listed.body.items).toContainEqual({
      id: expect.any(String),
      bucket: expect.any(String),
      metal: 'XAU',
      ledger: '6000',
      custodian: '4766',
      difference: '-1234',
      statementId: expect.stringMatching(/^stmt-/),
      statementAt: expect.any(String),
      createdAt: expect.any(String),
    });
    const forbidden = await api.request('GET', '/v1/admin/trading/custody/reconciliations', {
      token: compliance.accessToken,
    });
    expect(forbidden.status).toBe(403);
    expect((await worker.metrics()).body).toContain(
      'bourse_trading_custody_difference{metal="XAU"} -1234',
    );
    expect(worker.logs.lines).toContainEqual(
      expect.objectContaining({
        msg: 'custody reconciliation break',
        metal: 'XAU',
        ledger: '6000',
        custodian: '4766',
        difference: '-1234',
      }),
    );

    // Neither side was touched: the ledger still owes 6 g, the custodian still holds 4.766 g.
    await sleep(1500);
    const [after] = await latestXau();
    expect(after).toEqual({ ledger_mg: '6000', custodian_mg: '4766', difference_mg: '-1234' });
    expect(custody.positions.get('XAU')).toBe(4766n);
    expect(await ledger.statements.verifyInvariants()).toMatchObject({ ok: true });
  });
});
