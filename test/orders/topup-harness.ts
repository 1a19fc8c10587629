import { StatementsService } from '@bourse/ledger';
import { dataSourceOptions, rows } from '@bourse/platform';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { DtOneSimulator } from '../../simulators/dtone/dtone.simulator';
import { ledgerOf } from '../factories/ledger';
import { signedInUser, type SignedInUser } from '../factories/users';
import { startApi, testConfig, type TestServer } from '../setup/apps';
import { adminQuery, TEST_DB_ENV, testDatabaseUrl } from '../setup/test-env';
import { startWorker } from '../setup/worker';

export const DTONE_KEY = 'dtone-spec-key';
export const DTONE_SECRET = 'dtone-spec-secret';
/** A Mexican mobile number the simulator gives to its first Mexican operator (last digit 0). */
export const MX_PHONE = '+525512345670';

export interface OrderBody {
  id: string;
  state: string;
  version: number;
  price: string;
  fee: string;
  cost: string;
  commission: string;
  paymentId: string | null;
  clientSecret?: string | null;
  aggregatorRef: string | null;
  failureReason: string | null;
  events: { from: string | null; to: string; version: number; reason: string | null }[];
}

export async function waitFor<T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`condition not met in ${timeoutMs} ms; last value ${JSON.stringify(value)}`);
    }
    await sleep(50);
  }
}

/**
 * A database and Redis prefix of the spec's own (its worker relays every outbox row and sweeps
 * every order), the DT One simulator over HTTP, the api, and workers on demand.
 */
export class TopupHarness {
  readonly dtone = new DtOneSimulator({
    apiKey: DTONE_KEY,
    apiSecret: DTONE_SECRET,
    latencyMs: [20, 60],
  });
  api!: TestServer;
  db!: DataSource;
  env: Record<string, string> = {};
  readonly workers = new Set<TestServer>();

  constructor(
    private readonly name: string,
    readonly extraEnv: Record<string, string> = {},
  ) {}

  get database(): string {
    return `${process.env[TEST_DB_ENV]}_${this.name}`;
  }

  get redisPrefix(): string {
    return `${process.env.REDIS_KEY_PREFIX}-${this.name}`;
  }

  async start(): Promise<void> {
    await adminQuery(`CREATE DATABASE ${this.database}`);
    await this.dtone.start();
    this.env = {
      DATABASE_URL: testDatabaseUrl(this.database),
      REDIS_KEY_PREFIX: this.redisPrefix,
      OUTBOX_RELAY_INTERVAL_MS: '20',
      TOPUP_DTONE_API_URL: this.dtone.url,
      TOPUP_DTONE_API_KEY: DTONE_KEY,
      TOPUP_DTONE_API_SECRET: DTONE_SECRET,
      TOPUP_POLL_DELAYS_MS: '300,600,1200,2400',
      WEBHOOKS_ALLOW_LOOPBACK: 'true',
      ...this.extraEnv,
    };
    this.db = new DataSource(
      dataSourceOptions(
        { ...testConfig(this.env).database, poolSize: 2 },
        { migrations: MIGRATIONS },
      ),
    );
    await this.db.initialize();
    await this.db.runMigrations();
    this.api = await startApi(this.env);
    this.env.TOPUP_CALLBACK_BASE_URL = this.api.url;
  }

  async startWorker(): Promise<TestServer> {
    const worker = await startWorker(this.env);
    this.workers.add(worker);

    return worker;
  }

  async stopWorker(worker: TestServer): Promise<void> {
    this.workers.delete(worker);
    await worker.close();
  }

  async stop(): Promise<void> {
    for (const worker of this.workers) {
      await worker.close();
    }
    await this.api?.close();
    await this.dtone.stop();
    await this.db?.destroy();
    await adminQuery(`DROP DATABASE IF EXISTS ${this.database} WITH (FORCE)`);
  }

  query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    return rows<T>(this.db.manager, sql, params);
  }

  /** A signed-in consumer whose USD wallet holds `funds` (from the house). */
  async consumer(funds = 10_000n): Promise<SignedInUser> {
    const user = await signedInUser(this.api);
    if (funds > 0n) {
      const ledger = ledgerOf(this.api.app);
      const house = await ledger.accounts.ensureSystemAccount('house', 'USD');
      const wallet = await ledger.accounts.ensureWallet(user.id, 'USD');
      await ledger.transfers.transfer({
        id: randomUUID(),
        debitAccountId: house.id,
        creditAccountId: wallet.id,
        amount: funds,
        asset: 'USD',
        code: 'deposit',
      });
    }

    return user;
  }

  async walletOf(userId: string): Promise<{ posted: bigint; available: bigint }> {
    const ledger = ledgerOf(this.api.app);
    const wallet = await ledger.accounts.ensureWallet(userId, 'USD');

    return (await ledger.accounts.getAccount(wallet.id))!.balance;
  }

  async systemBalance(
    kind: 'aggregator_float' | 'fees' | 'house' | 'psp_clearing',
  ): Promise<bigint> {
    const ledger = ledgerOf(this.api.app);
    const account = await ledger.accounts.ensureSystemAccount(kind, 'USD');

    return (await ledger.accounts.getAccount(account.id))!.balance.posted;
  }

  /** Quote and order a product of MX_PHONE's operator with `token` (a user's or `ApiKey …`). */
  async order(
    token: string,
    body: Record<string, unknown> = {},
    beforeOrder: () => void = () => undefined,
    phone = MX_PHONE,
  ): Promise<{ status: number; body: OrderBody & { code?: string } }> {
    const products = await this.api.request(
      'GET',
      `/v1/topup/products?phone=${encodeURIComponent(phone)}`,
      {
        token,
      },
    );
    const quote = await this.api.request('POST', '/v1/topup/quotes', {
      token,
      body: { productId: products.body.products[0].id, phone },
    });
    if (quote.status !== 201) {
      throw new Error(`quote refused: ${JSON.stringify(quote.body)}`);
    }
    beforeOrder();

    return this.api.request('POST', '/v1/topup/orders', {
      token,
      body: { quoteId: quote.body.id, ...body },
    });
  }

  read(token: string, id: string): Promise<OrderBody> {
    return this.api
      .request<OrderBody>('GET', `/v1/topup/orders/${id}`, { token })
      .then((res) => res.body);
  }

  waitState(token: string, id: string, state: string, timeoutMs?: number): Promise<OrderBody> {
    return waitFor(
      () => this.read(token, id),
      (order) => order.state === state,
      timeoutMs,
    );
  }

  /** Every scenario ends with the books balanced. */
  async expectBooksClean(): Promise<void> {
    const report = await this.api.app.get(StatementsService).verifyInvariants();
    if (!report.ok) {
      throw new Error(`ledger invariants violated: ${JSON.stringify(report)}`);
    }
  }
}
