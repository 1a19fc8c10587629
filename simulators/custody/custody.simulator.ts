import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CustodySimulatorOptions {
  /** The bearer key callers must present. */
  apiKey: string;
  /** The one custody account it keeps. */
  account: string;
}

/** Descriptions of the instruments the statement names. */
const INSTRUMENTS: Record<string, string> = {
  XAU: 'Gold, allocated, LBMA Good Delivery',
  XAG: 'Silver, allocated, LBMA Good Delivery',
  XPT: 'Platinum, allocated, LPPM Good Delivery',
};
/** Quantities are grams with three decimals: kept here as integer milligrams. */
const SCALE = 3;

class CustodyError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const toMilligrams = (quantity: unknown): bigint => {
  const match = typeof quantity === 'string' ? /^(\d+)(?:\.(\d{1,3}))?$/.exec(quantity) : null;
  if (!match) {
    throw new CustodyError(400, 'INVALID_QUANTITY', 'quantity must be grams with up to 3 decimals');
  }

  return BigInt(match[1]! + (match[2] ?? '').padEnd(SCALE, '0'));
};

const toGrams = (mg: bigint): string => {
  const digits = (mg < 0n ? -mg : mg).toString().padStart(SCALE + 1, '0');

  return `${mg < 0n ? '-' : ''}${digits.slice(0, -SCALE)}.${digits.slice(-SCALE)}`;
};

/**
 * A local custodian bank for development, tests and the benchmark, on a custody API's shape:
 * bearer-key REST, a statement of holdings per instrument (`GET
 * /v1/custody/accounts/{account}/statement`) and settlement instructions (`POST
 * …/instructions`, RECEIVE or DELIVER grams, applied once per `Idempotency-Key`; a DELIVER beyond
 * the holding is refused). `PUT /_simulator/positions/{instrument}` sets a holding outright, to
 * plant a break for the reconciliation. In memory.
 */
export class CustodySimulator {
  /** Holdings in milligrams by instrument. */
  readonly positions = new Map<string, bigint>();
  readonly instructions = new Map<string, Record<string, unknown>>();
  private server?: Server;

  constructor(readonly options: CustodySimulatorOptions) {}

  get url(): string {
    const address = this.server?.address() as AddressInfo | undefined;
    if (!address) {
      throw new Error('the custody simulator is not listening');
    }

    return `http://127.0.0.1:${address.port}`;
  }

  async start(port = 0, host = '127.0.0.1'): Promise<string> {
    this.server = createServer((req, res) => void this.serve(req, res));
    await new Promise<void>((resolve) => this.server!.listen(port, host, resolve));

    return this.url;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) {
      chunks.push(chunk as Buffer);
    }
    const url = new URL(req.url ?? '/', 'http://custody.local');
    try {
      let body: Record<string, unknown> = {};
      if (chunks.length > 0) {
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
        } catch {
          throw new CustodyError(400, 'INVALID_JSON', 'the body is not JSON');
        }
      }
      const answer = url.pathname.startsWith('/_simulator/')
        ? this.control(req.method ?? 'GET', url.pathname, body)
        : this.api(req, url.pathname, body);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    } catch (error) {
      const e =
        error instanceof CustodyError
          ? error
          : new CustodyError(500, 'INTERNAL', (error as Error).message);
      res
        .writeHead(e.status, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: { code: e.code, message: e.message } }));
    }
  }

  private api(req: IncomingMessage, path: string, body: Record<string, unknown>): unknown {
    if (req.headers.authorization !== `Bearer ${this.options.apiKey}`) {
      throw new CustodyError(401, 'UNAUTHORIZED', 'invalid bearer key');
    }
    const route = /^\/v1\/custody\/accounts\/([^/]+)\/(statement|instructions)$/.exec(path);
    if (!route || decodeURIComponent(route[1]!) !== this.options.account) {
      throw new CustodyError(404, 'NOT_FOUND', `no such resource: ${path}`);
    }
    if (route[2] === 'statement' && req.method === 'GET') {
      return this.statement();
    }
    if (route[2] === 'instructions' && req.method === 'POST') {
      const key = req.headers['idempotency-key'];
      if (typeof key !== 'string' || !key) {
        throw new CustodyError(400, 'IDEMPOTENCY_KEY_REQUIRED', 'Idempotency-Key is required');
      }

      return this.instruct(key, body);
    }
    throw new CustodyError(405, 'METHOD_NOT_ALLOWED', `${req.method} ${path}`);
  }

  private statement(): unknown {
    return {
      statementId: `stmt-${randomUUID()}`,
      accountId: this.options.account,
      asOf: new Date().toISOString(),
      positions: [...this.positions.entries()].map(([instrument, mg]) => ({
        instrument,
        description: INSTRUMENTS[instrument] ?? instrument,
        quantity: toGrams(mg),
        unit: 'GRAM',
        form: 'ALLOCATED',
      })),
    };
  }

  private instruct(key: string, body: Record<string, unknown>): unknown {
    const done = this.instructions.get(key);
    if (done) {
      return done;
    }
    const instrument = String(body.instrument);
    if (!INSTRUMENTS[instrument] || body.unit !== 'GRAM') {
      throw new CustodyError(
        400,
        'INVALID_INSTRUMENT',
        'instrument must be XAU, XAG or XPT in GRAM',
      );
    }
    const quantity = toMilligrams(body.quantity);
    const held = this.positions.get(instrument) ?? 0n;
    if (body.direction === 'DELIVER' && quantity > held) {
      throw new CustodyError(422, 'INSUFFICIENT_HOLDINGS', `holds ${toGrams(held)} g`);
    }
    if (body.direction !== 'DELIVER' && body.direction !== 'RECEIVE') {
      throw new CustodyError(400, 'INVALID_DIRECTION', 'direction must be RECEIVE or DELIVER');
    }
    this.positions.set(instrument, held + (body.direction === 'RECEIVE' ? quantity : -quantity));
    const instruction = {
      instructionId: `ins-${randomUUID()}`,
      reference: body.reference,
      instrument,
      direction: body.direction,
      quantity: toGrams(quantity),
      status: 'SETTLED',
    };
    this.instructions.set(key, instruction);

    return instruction;
  }

  /** The simulator's own controls (no key: a local test tool). */
  private control(method: string, path: string, body: Record<string, unknown>): unknown {
    const position = /^\/_simulator\/positions\/([A-Z]{3})$/.exec(path);
    if (method === 'PUT' && position) {
      this.positions.set(position[1]!, toMilligrams(body.quantity));

      return { instrument: position[1], quantity: toGrams(this.positions.get(position[1]!)!) };
    }
    if (method === 'GET' && path === '/_simulator/positions') {
      return Object.fromEntries([...this.positions].map(([k, v]) => [k, toGrams(v)]));
    }
    throw new CustodyError(404, 'NOT_FOUND', `no such control: ${method} ${path}`);
  }
}
