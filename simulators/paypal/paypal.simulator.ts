import {
  createSign,
  createVerify,
  generateKeyPairSync,
  randomBytes,
  randomUUID,
  type KeyObject,
} from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { crc32 } from 'node:zlib';

export interface PayPalSimulatorOptions {
  clientId: string;
  clientSecret: string;
  /** The id of the webhook subscription events are signed for. */
  webhookId: string;
  /** Where events are POSTed; none: events are only recorded. */
  webhookUrl?: string;
}

export interface PayPalEvent {
  id: string;
  event_version: '1.0';
  create_time: string;
  resource_type: string;
  event_type: string;
  summary: string;
  resource: Record<string, unknown>;
}

interface Money {
  currency_code: string;
  value: string;
}

interface Movement {
  id: string;
  /** Refunds: the capture refunded. */
  capture_id?: string;
  status: string;
  amount: Money;
  final_capture?: boolean;
  supplementary_data: { related_ids: { order_id: string } };
  create_time: string;
}

interface Order {
  id: string;
  intent: 'CAPTURE' | 'AUTHORIZE';
  status: string;
  purchase_units: {
    reference_id: string;
    custom_id?: string;
    amount: Money;
    payments: { captures: Movement[]; authorizations: Movement[]; refunds: Movement[] };
  }[];
  links: { href: string; rel: string; method: string }[];
  create_time: string;
}

/** The fields of the simulated requests' JSON bodies. */
interface RequestBody {
  intent?: 'CAPTURE' | 'AUTHORIZE';
  purchase_units?: { reference_id?: string; custom_id?: string; amount?: Partial<Money> }[];
  amount?: Money;
  final_capture?: boolean;
  webhook_id?: string;
  webhook_event?: unknown;
  transmission_id?: string;
  transmission_time?: string;
  transmission_sig?: string;
}

class PayPalError extends Error {
  constructor(
    readonly status: number,
    readonly errorName: string,
    message: string,
    readonly issue?: string,
  ) {
    super(message);
  }
}

/** Minor units of a PayPal decimal amount string at two decimals (the simulator's currencies). */
const cents = (value: string): number => Math.round(Number(value) * 100);
const money = (currency: string, amount: number): Money => ({
  currency_code: currency,
  value: (amount / 100).toFixed(2),
});

/**
 * A local PayPal for development and tests: OAuth client credentials, Orders v2 (create with
 * intent CAPTURE or AUTHORIZE, the payer's approval at the approve link, capture, authorize),
 * authorizations (partial captures, void), capture refunds, `PayPal-Request-Id` replay, and
 * webhooks signed as PayPal signs them (RSA-SHA256 over `<id>|<time>|<webhook id>|<crc32>` with a
 * certificate at `cert_url`), checked by `POST /v1/notifications/verify-webhook-signature`.
 * Two-decimal currencies only; in memory.
 */
export class PayPalSimulator {
  readonly orders = new Map<string, Order>();
  readonly events: PayPalEvent[] = [];
  /** Each event is sent this many times. */
  copies = 1;
  private server?: Server;
  private readonly tokens = new Set<string>();
  private readonly replies = new Map<string, { status: number; body: string }>();
  private readonly sending = new Set<Promise<void>>();
  private readonly keys: { publicKey: KeyObject; privateKey: KeyObject };

  constructor(readonly options: PayPalSimulatorOptions) {
    this.keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  }

  get url(): string {
    const address = this.server?.address() as AddressInfo | undefined;
    if (!address) {
      throw new Error('the PayPal simulator is not listening');
    }

    return `http://127.0.0.1:${address.port}`;
  }

  async start(port = 0, host = '127.0.0.1'): Promise<string> {
    this.server = createServer((req, res) => void this.serve(req, res));
    await new Promise<void>((resolve) => this.server!.listen(port, host, resolve));

    return this.url;
  }

  async stop(): Promise<void> {
    await this.settled();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }

  async settled(): Promise<void> {
    while (this.sending.size > 0) {
      await Promise.all([...this.sending]);
    }
  }

  /** The headers PayPal sends with `body`, signed at `time` (ISO) for `webhookId`. */
  signedHeaders(body: string, time = new Date().toISOString(), webhookId = this.options.webhookId) {
    const transmissionId = randomUUID();
    const signer = createSign('RSA-SHA256');
    signer.update(`${transmissionId}|${time}|${webhookId}|${crc32(body)}`);

    return {
      'paypal-auth-algo': 'SHA256withRSA',
      'paypal-cert-url': `${this.url}/v1/notifications/certs/CERT-simulator`,
      'paypal-transmission-id': transmissionId,
      'paypal-transmission-sig': signer.sign(this.keys.privateKey, 'base64'),
      'paypal-transmission-time': time,
    };
  }

  private emit(eventType: string, resourceType: string, resource: object): void {
    const event: PayPalEvent = {
      id: `WH-${randomBytes(10).toString('hex').toUpperCase()}`,
      event_version: '1.0',
      create_time: new Date().toISOString(),
      resource_type: resourceType,
      event_type: eventType,
      summary: eventType,
      resource: structuredClone(resource) as Record<string, unknown>,
    };
    this.events.push(event);
    if (!this.options.webhookUrl) {
      return;
    }
    for (let copy = 0; copy < this.copies; copy++) {
      const sending = this.deliver(event).finally(() => this.sending.delete(sending));
      this.sending.add(sending);
    }
  }

  private async deliver(event: PayPalEvent): Promise<void> {
    const body = JSON.stringify(event);
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        const response = await fetch(this.options.webhookUrl!, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...this.signedHeaders(body) },
          body,
        });
        await response.arrayBuffer();
        if (response.ok) {
          return;
        }
      } catch {
        // The endpoint is down: PayPal retries.
      }
      await sleep(100 * 2 ** attempt);
    }
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) {
      chunks.push(chunk as Buffer);
    }
    const text = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://paypal');
    const reply = (status: number, body: string, type = 'application/json') => {
      res.writeHead(status, {
        'content-type': type,
        'paypal-debug-id': randomBytes(6).toString('hex'),
      });
      res.end(body);
    };
    try {
      if (req.method === 'GET' && url.pathname === '/v1/notifications/certs/CERT-simulator') {
        reply(
          200,
          this.keys.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
          'text/plain',
        );

        return;
      }
      if (req.method === 'GET' && url.pathname === '/checkoutnow') {
        // The payer's approval page: logging in and clicking "Pay" approves the order.
        reply(200, JSON.stringify(this.approve(url.searchParams.get('token') ?? '')));

        return;
      }
      if (req.method === 'POST' && url.pathname === '/v1/oauth2/token') {
        reply(200, JSON.stringify(this.token(req, text)));

        return;
      }
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (!token || !this.tokens.has(token)) {
        throw new PayPalError(
          401,
          'AUTHENTICATION_FAILURE',
          'Authentication failed due to invalid authentication credentials or a missing Authorization header.',
        );
      }
      const requestId = req.headers['paypal-request-id'];
      const replayKey = typeof requestId === 'string' ? `${url.pathname} ${requestId}` : undefined;
      const stored = replayKey ? this.replies.get(replayKey) : undefined;
      if (stored) {
        reply(stored.status, stored.body);

        return;
      }
      const [status, body] = this.route(
        req.method ?? 'GET',
        url.pathname,
        text ? JSON.parse(text) : {},
      );
      const json = JSON.stringify(body);
      if (replayKey && req.method === 'POST') {
        this.replies.set(replayKey, { status, body: json });
      }
      reply(status, json);
    } catch (error) {
      if (!(error instanceof PayPalError)) {
        throw error;
      }
      reply(
        error.status,
        JSON.stringify({
          name: error.errorName,
          message: error.message,
          details: error.issue ? [{ issue: error.issue, description: error.message }] : [],
        }),
      );
    }
  }

  private token(req: IncomingMessage, text: string) {
    const expected = Buffer.from(`${this.options.clientId}:${this.options.clientSecret}`).toString(
      'base64',
    );
    if (
      req.headers.authorization !== `Basic ${expected}` ||
      new URLSearchParams(text).get('grant_type') !== 'client_credentials'
    ) {
      throw new PayPalError(401, 'invalid_client', 'Client Authentication failed');
    }
    const token = `A21AA${randomBytes(24).toString('hex')}`;
    this.tokens.add(token);

    return {
      scope: 'https://uri.paypal.com/services/payments/payment',
      access_token: token,
      token_type: 'Bearer',
      app_id: 'APP-SIMULATOR',
      expires_in: 32400,
      nonce: randomUUID(),
    };
  }

  private route(method: string, path: string, body: RequestBody): [number, unknown] {
    const parts = path.split('/').filter(Boolean);
    if (method === 'POST' && path === '/v1/notifications/verify-webhook-signature') {
      return [200, { verification_status: this.verifies(body) ? 'SUCCESS' : 'FAILURE' }];
    }
    if (parts[0] === 'v2' && parts[1] === 'checkout' && parts[2] === 'orders') {
      if (method === 'POST' && parts.length === 3) {
        return [201, this.createOrder(body)];
      }
      const order = this.order(parts[3]!);
      if (method === 'GET' && parts.length === 4) {
        return [200, order];
      }
      if (method === 'POST' && parts[4] === 'capture') {
        return [201, this.captureOrder(order)];
      }
      if (method === 'POST' && parts[4] === 'authorize') {
        return [201, this.authorizeOrder(order)];
      }
    }
    if (parts[0] === 'v2' && parts[1] === 'payments' && method === 'POST') {
      if (parts[2] === 'authorizations' && parts[4] === 'capture') {
        return [201, this.captureAuthorization(parts[3]!, body)];
      }
      if (parts[2] === 'authorizations' && parts[4] === 'void') {
        return [204, this.voidAuthorization(parts[3]!)];
      }
      if (parts[2] === 'captures' && parts[4] === 'refund') {
        return [201, this.refund(parts[3]!, body)];
      }
    }
    throw new PayPalError(404, 'RESOURCE_NOT_FOUND', `No route for ${method} ${path}`);
  }

  private verifies(body: RequestBody): boolean {
    if (body.webhook_id !== this.options.webhookId || !body.webhook_event) {
      return false;
    }
    const verifier = createVerify('RSA-SHA256');
    verifier.update(
      `${body.transmission_id}|${body.transmission_time}|${body.webhook_id}|${crc32(JSON.stringify(body.webhook_event))}`,
    );

    return verifier.verify(this.keys.publicKey, String(body.transmission_sig ?? ''), 'base64');
  }

  private order(id: string): Order {
    const order = this.orders.get(id);
    if (!order) {
      throw new PayPalError(
        404,
        'RESOURCE_NOT_FOUND',
        'The specified resource does not exist.',
        'INVALID_RESOURCE_ID',
      );
    }

    return order;
  }

  private unit(order: Order) {
    return order.purchase_units[0]!;
  }

  private createOrder(body: RequestBody): Order {
    const unit = body.purchase_units?.[0];
    const intent = body.intent;
    const currency = unit?.amount?.currency_code;
    const value = unit?.amount?.value;
    if (
      (intent !== 'CAPTURE' && intent !== 'AUTHORIZE') ||
      !currency ||
      !value ||
      !/^\d+(\.\d{2})?$/.test(value)
    ) {
      throw new PayPalError(
        400,
        'INVALID_REQUEST',
        'Request is not well-formed, syntactically incorrect, or violates schema.',
        'INVALID_PARAMETER_VALUE',
      );
    }
    const id = randomBytes(8).toString('hex').toUpperCase();
    const order: Order = {
      id,
      intent,
      status: 'CREATED',
      purchase_units: [
        {
          reference_id: unit!.reference_id ?? 'default',
          custom_id: unit!.custom_id,
          amount: { currency_code: currency, value },
          payments: { captures: [], authorizations: [], refunds: [] },
        },
      ],
      links: [
        { href: `${this.url}/v2/checkout/orders/${id}`, rel: 'self', method: 'GET' },
        { href: `${this.url}/checkoutnow?token=${id}`, rel: 'approve', method: 'GET' },
      ],
      create_time: new Date().toISOString(),
    };
    this.orders.set(id, order);

    return order;
  }

  private approve(id: string): Order {
    const order = this.order(id);
    if (order.status !== 'CREATED') {
      throw new PayPalError(
        422,
        'UNPROCESSABLE_ENTITY',
        'The order cannot be approved again.',
        'ORDER_ALREADY_APPROVED',
      );
    }
    order.status = 'APPROVED';
    this.emit('CHECKOUT.ORDER.APPROVED', 'checkout-order', order);

    return order;
  }

  private movement(order: Order, prefix: string, amount: number, status: string): Movement {
    return {
      id: `${prefix}${randomBytes(8).toString('hex').toUpperCase()}`,
      status,
      amount: money(this.unit(order).amount.currency_code, amount),
      supplementary_data: { related_ids: { order_id: order.id } },
      create_time: new Date().toISOString(),
    };
  }

  private captureOrder(order: Order): Order {
    if (order.intent !== 'CAPTURE' || order.status !== 'APPROVED') {
      throw new PayPalError(
        422,
        'UNPROCESSABLE_ENTITY',
        'The order cannot be captured.',
        order.status === 'COMPLETED' ? 'ORDER_ALREADY_CAPTURED' : 'ORDER_NOT_APPROVED',
      );
    }
    const capture = this.movement(order, 'CAP', cents(this.unit(order).amount.value), 'COMPLETED');
    this.unit(order).payments.captures.push(capture);
    order.status = 'COMPLETED';
    this.emit('PAYMENT.CAPTURE.COMPLETED', 'capture', capture);

    return order;
  }

  private authorizeOrder(order: Order): Order {
    if (order.intent !== 'AUTHORIZE' || order.status !== 'APPROVED') {
      throw new PayPalError(
        422,
        'UNPROCESSABLE_ENTITY',
        'The order cannot be authorized.',
        'ORDER_NOT_APPROVED',
      );
    }
    const authorization = this.movement(
      order,
      'AUTH',
      cents(this.unit(order).amount.value),
      'CREATED',
    );
    this.unit(order).payments.authorizations.push(authorization);
    order.status = 'COMPLETED';
    this.emit('PAYMENT.AUTHORIZATION.CREATED', 'authorization', authorization);

    return order;
  }

  private find(
    kind: 'authorizations' | 'captures',
    id: string,
  ): { order: Order; movement: Movement } {
    for (const order of this.orders.values()) {
      const movement = this.unit(order).payments[kind].find((m) => m.id === id);
      if (movement) {
        return { order, movement };
      }
    }
    throw new PayPalError(
      404,
      'RESOURCE_NOT_FOUND',
      'The specified resource does not exist.',
      'INVALID_RESOURCE_ID',
    );
  }

  private captureAuthorization(id: string, body: RequestBody): Movement {
    const { order, movement: authorization } = this.find('authorizations', id);
    if (!['CREATED', 'PARTIALLY_CAPTURED'].includes(authorization.status)) {
      throw new PayPalError(
        422,
        'UNPROCESSABLE_ENTITY',
        'The authorization cannot be captured.',
        'AUTHORIZATION_ALREADY_CAPTURED',
      );
    }
    const captured = this.unit(order).payments.captures.reduce(
      (sum, c) => sum + cents(c.amount.value),
      0,
    );
    const left = cents(authorization.amount.value) - captured;
    const amount = body.amount ? cents(body.amount.value) : left;
    if (amount < 1 || amount > left) {
      throw new PayPalError(
        422,
        'UNPROCESSABLE_ENTITY',
        'The amount exceeds what is left to capture.',
        'MAX_CAPTURE_AMOUNT_EXCEEDED',
      );
    }
    const final = body.final_capture !== false || amount === left;
    const capture = { ...this.movement(order, 'CAP', amount, 'COMPLETED'), final_capture: final };
    this.unit(order).payments.captures.push(capture);
    authorization.status = final ? 'CAPTURED' : 'PARTIALLY_CAPTURED';
    this.emit('PAYMENT.CAPTURE.COMPLETED', 'capture', capture);

    return capture;
  }

  private voidAuthorization(id: string): null {
    const { movement: authorization } = this.find('authorizations', id);
    if (authorization.status !== 'CREATED') {
      throw new PayPalError(
        422,
        'UNPROCESSABLE_ENTITY',
        'The authorization cannot be voided.',
        'PREVIOUSLY_CAPTURED',
      );
    }
    authorization.status = 'VOIDED';
    this.emit('PAYMENT.AUTHORIZATION.VOIDED', 'authorization', authorization);

    return null;
  }

  private refund(id: string, body: RequestBody): Movement {
    const { order, movement: capture } = this.find('captures', id);
    const payments = this.unit(order).payments;
    const refunded = payments.refunds
      .filter((r) => r.capture_id === capture.id)
      .reduce((sum, r) => sum + cents(r.amount.value), 0);
    const left = cents(capture.amount.value) - refunded;
    const amount = body.amount ? cents(body.amount.value) : left;
    if (amount < 1 || amount > left) {
      throw new PayPalError(
        422,
        'UNPROCESSABLE_ENTITY',
        'The refund amount exceeds the captured amount left.',
        'REFUND_AMOUNT_EXCEEDED',
      );
    }
    const refund = {
      ...this.movement(order, 'REF', amount, 'COMPLETED'),
      capture_id: capture.id,
      links: [{ href: `${this.url}/v2/payments/captures/${capture.id}`, rel: 'up', method: 'GET' }],
    };
    payments.refunds.push(refund);
    capture.status = amount === left ? 'REFUNDED' : 'PARTIALLY_REFUNDED';
    this.emit('PAYMENT.CAPTURE.REFUNDED', 'refund', refund);

    return refund;
  }
}
