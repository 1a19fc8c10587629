import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A push the simulator "delivered": one per accepted notification, never per retry. */
export interface SimulatedPush {
  id: string;
  externalIds: string[];
  headings?: Record<string, string>;
  contents?: Record<string, string>;
  data?: Record<string, unknown>;
}

export interface OneSignalSimulatorOptions {
  appId: string;
  restApiKey: string;
  /** Every external id has a device (a local run); otherwise only those `subscribe`d. */
  everyoneSubscribed?: boolean;
  /** Called with each push delivered. */
  onPush?: (push: SimulatedPush) => void;
}

interface CreateNotification {
  app_id?: string;
  include_aliases?: { external_id?: string[] };
  target_channel?: string;
  headings?: Record<string, string>;
  contents?: Record<string, string>;
  data?: Record<string, unknown>;
  idempotency_key?: string;
}

/**
 * OneSignal's `POST /notifications` as its REST API answers it: `Authorization: Key <REST API
 * key>` of the app (403 otherwise), aliases of subscribed users only (a 200 with
 * `errors.invalid_aliases` and an empty id when none is), and `idempotency_key`: a repeated key
 * answers the first notification's id and sends nothing.
 */
export class OneSignalSimulator {
  readonly pushes: SimulatedPush[] = [];
  private readonly subscribed = new Set<string>();
  private readonly byKey = new Map<string, string>();
  private dropAnswers = 0;
  private readonly server: Server = createServer((req, res) => void this.handle(req, res));

  constructor(private readonly options: OneSignalSimulatorOptions) {}

  /** A device signed in as this external id (`OneSignal.login(externalId)` in the app). */
  subscribe(externalId: string): void {
    this.subscribed.add(externalId);
  }

  /** Accepts the next `count` notifications and then drops the connection: the answer is lost. */
  loseAnswers(count: number): void {
    this.dropAnswers = count;
  }

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

  stop(): Promise<void> {
    this.server.closeAllConnections();

    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) {
      chunks.push(chunk as Buffer);
    }
    const answer = (status: number, body: object) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'POST' || req.url !== '/notifications') {
      return answer(404, { errors: ['Not Found'] });
    }
    if (req.headers.authorization !== `Key ${this.options.restApiKey}`) {
      return answer(403, {
        errors: [
          "Access denied.  Please include an 'Authorization: ...' header with a valid API key",
        ],
      });
    }
    let body: CreateNotification;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as CreateNotification;
    } catch {
      return answer(400, { errors: ['Invalid JSON'] });
    }
    if (body.app_id !== this.options.appId) {
      return answer(400, {
        errors: ['app_id not found. You may be missing a Content-Type: application/json header.'],
      });
    }
    const externalIds = body.include_aliases?.external_id ?? [];
    if (externalIds.length === 0 || (body.target_channel && body.target_channel !== 'push')) {
      return answer(400, {
        errors: ['You must include which users, segments, or subscriptions to send to.'],
      });
    }
    const known = body.idempotency_key && this.byKey.get(body.idempotency_key);
    if (known) {
      return answer(200, { id: known });
    }
    const invalid = this.options.everyoneSubscribed
      ? []
      : externalIds.filter((id) => !this.subscribed.has(id));
    if (invalid.length === externalIds.length) {
      return answer(200, { id: '', errors: { invalid_aliases: { external_id: invalid } } });
    }
    const id = randomUUID();
    if (body.idempotency_key) {
      this.byKey.set(body.idempotency_key, id);
    }
    const push: SimulatedPush = {
      id,
      externalIds: externalIds.filter((e) => !invalid.includes(e)),
      headings: body.headings,
      contents: body.contents,
      data: body.data,
    };
    if (this.options.onPush) {
      this.options.onPush(push);
    } else {
      this.pushes.push(push);
    }
    if (this.dropAnswers > 0) {
      this.dropAnswers -= 1;
      req.socket.destroy();

      return;
    }
    answer(
      200,
      invalid.length ? { id, errors: { invalid_aliases: { external_id: invalid } } } : { id },
    );
  }
}
