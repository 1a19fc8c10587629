import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateCatalogue, type Catalogue, type SimOperator, type SimProduct } from './catalogue';

/** DT One's transaction statuses (id, message, class), the ones the simulator reaches. */
const STATUS = {
  created: { id: 10000, message: 'CREATED', class: { id: 1, message: 'CREATED' } },
  confirmed: { id: 20000, message: 'CONFIRMED', class: { id: 2, message: 'CONFIRMED' } },
  submitted: { id: 50000, message: 'SUBMITTED', class: { id: 5, message: 'SUBMITTED' } },
  completed: { id: 70000, message: 'COMPLETED', class: { id: 7, message: 'COMPLETED' } },
  declined: {
    id: 90200,
    message: 'DECLINED-OPERATOR-CURRENTLY-UNAVAILABLE',
    class: { id: 9, message: 'DECLINED' },
  },
} as const;
type Status = (typeof STATUS)[keyof typeof STATUS];

export interface SimTransaction {
  id: number;
  externalId: string;
  product: SimProduct;
  mobileNumber: string;
  callbackUrl?: string;
  status: Status;
  createdAt: Date;
  /** How long the operator took (the simulated latency), once decided at confirm. */
  latencyMs?: number;
  confirmedAt?: number;
}

export interface DtOneSimulatorOptions {
  apiKey: string;
  apiSecret: string;
  /** Operator processing time after confirm: uniform in [min, max] ms, unless set per operator. */
  latencyMs?: [number, number];
  operatorLatencyMs?: Record<number, number>;
  /** Share of confirmed transactions the operator declines (0–1). */
  failureRate?: number;
  /** Mocked randomness (latency, failures, lost callbacks). */
  random?: () => number;
}

/** How callbacks reach Bourse; changed at run time by tests and the benchmark. */
export interface CallbackMode {
  /** Each callback sent this many times (duplicates). */
  copies: number;
  /** Share of callbacks never sent (lost). */
  lossRate: number;
  /** Complete at confirm and deliver the callback before the confirm call is answered. */
  beforeConfirmReturns: boolean;
}

const BASE_PATH = '/v1';

/**
 * DT One's DVS API as Bourse uses it: Basic auth with the API key and secret; the products
 * catalogue (`GET /v1/products`, paginated with `X-Total`/`X-Total-Pages`); the mobile number
 * lookup (`GET /v1/lookups/mobile-number/{number}`); asynchronous transactions
 * (`POST /v1/async/transactions` with `external_id` (unique: a second use is refused with
 * error 1003001) and `callback_url`, `POST /v1/async/transactions/{id}/confirm`,
 * `GET /v1/transactions/{id}`, `GET /v1/transactions?external_id=`); and a POST of the
 * transaction to its callback URL at each final status, unsigned, as DT One sends it.
 */
export class DtOneSimulator {
  readonly catalogue: Catalogue = generateCatalogue();
  readonly transactions = new Map<number, SimTransaction>();
  /** Every create call with an external id, refused ones included: a double submit shows here. */
  readonly submissions: string[] = [];
  callbacks: CallbackMode = { copies: 1, lossRate: 0, beforeConfirmReturns: false };
  /** While true every call answers 503 (an outage). */
  outage = false;
  /** How long a transaction create takes to answer (a slow aggregator; the transaction exists at once). */
  createAnswerDelayMs = 0;
  private readonly byExternalId = new Map<string, SimTransaction>();
  private readonly pending = new Set<Promise<void>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private nextId = 5_000_000;
  private readonly server: Server = createServer((req, res) => void this.handle(req, res));

  constructor(readonly options: DtOneSimulatorOptions) {}

  async start(port = 0, host = '127.0.0.1'): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve());
    });

    return this.url;
  }

  get url(): string {
    const { address, port } = this.server.address() as AddressInfo;

    return `http://${address}:${port}`;
  }

  async stop(): Promise<void> {
    this.timers.forEach(clearTimeout);
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Waits until every scheduled completion ran and every callback was answered. */
  async settled(): Promise<void> {
    while (this.pending.size > 0) {
      await Promise.allSettled([...this.pending]);
    }
  }

  /** An operator's number in a country, its last digit choosing which of three (for tests). */
  operatorFor(mobileNumber: string): SimOperator | undefined {
    const parsed = parsePhoneNumberFromString(mobileNumber);
    const operators = this.catalogue.operators.filter(
      (operator) => operator.country.iso2 === parsed?.country,
    );
    const last = Number(mobileNumber.at(-1));

    return operators.length ? operators[last % operators.length] : undefined;
  }

  /** Sends the transaction's callback again (a late duplicate). */
  resendCallback(id: number): Promise<void> {
    const transaction = this.transactions.get(id)!;

    return this.track(this.postCallback(transaction));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) {
      chunks.push(chunk as Buffer);
    }
    const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    const error = (status: number, code: number, message: string) =>
      answer(status, { errors: [{ code, message }] });
    if (this.outage) {
      return error(503, 1000503, 'Service Unavailable');
    }
    const expected = `Basic ${Buffer.from(`${this.options.apiKey}:${this.options.apiSecret}`).toString('base64')}`;
    if (req.headers.authorization !== expected) {
      return error(401, 1000401, 'Unauthorized');
    }
    const url = new URL(req.url ?? '/', 'http://simulator');
    const path = url.pathname.startsWith(BASE_PATH) ? url.pathname.slice(BASE_PATH.length) : '';
    let body: Record<string, unknown> = {};
    if (req.method === 'POST' && chunks.length) {
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      } catch {
        return error(400, 1000400, 'Invalid JSON');
      }
    }
    let match: RegExpExecArray | null;
    if (req.method === 'GET' && path === '/products') {
      return this.listProducts(url, answer);
    }
    if (req.method === 'GET' && (match = /^\/lookups\/mobile-number\/([^/]+)$/.exec(path))) {
      const operator = this.operatorFor(decodeURIComponent(match[1]!));
      if (!operator) {
        return error(404, 1003404, 'Mobile number not identified');
      }

      return answer(200, [{ ...operatorJson(operator), identified: true }]);
    }
    if (req.method === 'POST' && path === '/async/transactions') {
      return this.create(body, answer, error);
    }
    if (req.method === 'POST' && (match = /^\/async\/transactions\/(\d+)\/confirm$/.exec(path))) {
      return this.confirm(Number(match[1]), answer, error);
    }
    if (req.method === 'GET' && (match = /^\/transactions\/(\d+)$/.exec(path))) {
      const transaction = this.transactions.get(Number(match[1]));

      return transaction
        ? answer(200, transactionJson(transaction))
        : error(404, 1003404, 'Transaction not found');
    }
    if (req.method === 'GET' && path === '/transactions') {
      const found = this.byExternalId.get(url.searchParams.get('external_id') ?? '');

      return answer(200, found ? [transactionJson(found)] : []);
    }

    return error(404, 1000404, 'Not Found');
  }

  private listProducts(
    url: URL,
    answer: (status: number, body: unknown, headers?: Record<string, string>) => void,
  ): void {
    const country = url.searchParams.get('country_iso_code');
    const operatorId = url.searchParams.get('operator_id');
    const perPage = Math.min(Number(url.searchParams.get('per_page') ?? 50) || 50, 100);
    const page = Math.max(Number(url.searchParams.get('page') ?? 1) || 1, 1);
    const matching = this.catalogue.products.filter(
      (product) =>
        (!country || product.operator.country.iso3 === country) &&
        (!operatorId || product.operator.id === Number(operatorId)),
    );
    const pages = Math.max(Math.ceil(matching.length / perPage), 1);
    answer(200, matching.slice((page - 1) * perPage, page * perPage).map(productJson), {
      'x-total': String(matching.length),
      'x-total-pages': String(pages),
      'x-page': String(page),
      'x-per-page': String(perPage),
    });
  }

  private async create(
    body: Record<string, unknown>,
    answer: (status: number, body: unknown) => void,
    error: (status: number, code: number, message: string) => void,
  ): Promise<void> {
    const externalId = body.external_id;
    const product = this.catalogue.products.find((p) => p.id === Number(body.product_id));
    const mobileNumber = (body.credit_party_identifier as { mobile_number?: unknown } | undefined)
      ?.mobile_number;
    if (typeof externalId !== 'string' || !externalId) {
      return error(400, 1003400, 'external_id is required');
    }
    this.submissions.push(externalId);
    if (this.byExternalId.has(externalId)) {
      return error(409, 1003001, 'External ID already used');
    }
    if (!product) {
      return error(400, 1003200, 'Product not found');
    }
    if (typeof mobileNumber !== 'string' || this.operatorFor(mobileNumber) !== product.operator) {
      return error(400, 1003300, 'Invalid credit party: mobile number not of this operator');
    }
    const transaction: SimTransaction = {
      id: (this.nextId += 1),
      externalId,
      product,
      mobileNumber,
      callbackUrl: typeof body.callback_url === 'string' ? body.callback_url : undefined,
      status: STATUS.created,
      createdAt: new Date(),
    };
    this.transactions.set(transaction.id, transaction);
    this.byExternalId.set(externalId, transaction);
    if (body.auto_confirm === true) {
      this.startProcessing(transaction);
    }
    if (this.createAnswerDelayMs > 0) {
      await new Promise((resolve) => setTimeout(resolve, this.createAnswerDelayMs));
    }
    answer(201, transactionJson(transaction));
  }

  private async confirm(
    id: number,
    answer: (status: number, body: unknown) => void,
    error: (status: number, code: number, message: string) => void,
  ): Promise<void> {
    const transaction = this.transactions.get(id);
    if (!transaction) {
      return error(404, 1003404, 'Transaction not found');
    }
    if (transaction.status === STATUS.created) {
      if (this.callbacks.beforeConfirmReturns) {
        transaction.confirmedAt = Date.now();
        transaction.latencyMs = 0;
        await this.track(this.finish(transaction));
      } else {
        this.startProcessing(transaction);
      }
    }
    answer(202, transactionJson(transaction));
  }

  /** Confirmed, then submitted to the operator, which answers after its latency. */
  private startProcessing(transaction: SimTransaction): void {
    transaction.status = STATUS.submitted;
    transaction.confirmedAt = Date.now();
    transaction.latencyMs = this.latencyOf(transaction.product.operator);
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    void this.track(finished);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.finish(transaction).finally(done);
    }, transaction.latencyMs);
    this.timers.add(timer);
  }

  private latencyOf(operator: SimOperator): number {
    const fixed = this.options.operatorLatencyMs?.[operator.id];
    if (fixed !== undefined) {
      return fixed;
    }
    const [min, max] = this.options.latencyMs ?? [50, 150];

    return Math.round(min + this.random() * (max - min));
  }

  private async finish(transaction: SimTransaction): Promise<void> {
    transaction.status =
      this.random() < (this.options.failureRate ?? 0) ? STATUS.declined : STATUS.completed;
    if (this.random() < this.callbacks.lossRate) {
      return;
    }
    for (let copy = 0; copy < this.callbacks.copies; copy += 1) {
      await this.postCallback(transaction);
    }
  }

  private async postCallback(transaction: SimTransaction): Promise<void> {
    if (!transaction.callbackUrl) {
      return;
    }
    try {
      await fetch(transaction.callbackUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(transactionJson(transaction)),
        signal: AbortSignal.timeout(10_000),
      });
    } catch {
      // DT One does not retry a callback it could not deliver; status polling covers it.
    }
  }

  private random(): number {
    return (this.options.random ?? Math.random)();
  }

  private track(work: Promise<void>): Promise<void> {
    const tracked = work.finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);

    return tracked;
  }
}

function operatorJson(operator: SimOperator) {
  return {
    id: operator.id,
    name: operator.name,
    country: { iso_code: operator.country.iso3, name: operator.country.name, regions: null },
  };
}

function productJson(product: SimProduct) {
  const usd = { amount: product.usd, unit: 'USD', unit_type: 'CURRENCY' };

  return {
    id: product.id,
    name: product.name,
    description: `${product.name} airtime`,
    type: 'FIXED_VALUE_RECHARGE',
    service: { id: 1, name: 'Mobile' },
    operator: operatorJson(product.operator),
    source: usd,
    destination: {
      amount: product.destination,
      unit: product.operator.country.currency,
      unit_type: 'CURRENCY',
    },
    prices: {
      wholesale: { amount: product.wholesale, fee: 0, unit: 'USD', unit_type: 'CURRENCY' },
      retail: { amount: product.usd, fee: 0, unit: 'USD', unit_type: 'CURRENCY' },
    },
    availability_zones: ['INTERNATIONAL'],
  };
}

function transactionJson(transaction: SimTransaction) {
  return {
    id: transaction.id,
    external_id: transaction.externalId,
    creation_date: transaction.createdAt.toISOString(),
    status: transaction.status,
    product: productJson(transaction.product),
    credit_party_identifier: { mobile_number: transaction.mobileNumber },
    prices: productJson(transaction.product).prices,
    callback_url: transaction.callbackUrl ?? null,
  };
}
