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
  /** Captures: PayPal's fee and what the seller receives. */
  seller_receivable_breakdown?: { gross_amount: Money; paypal_fee: Money; net_amount: Money };
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

/** A buyer's dispute (Customer Disputes API v1). */
export interface PayPalDispute {
  dispute_id: string;
  create_time: string;
  update_time: string;
  disputed_transactions: { seller_transaction_id: string }[];
  reason: string;
  status: 'WAITING_FOR_SELLER_RESPONSE' | 'UNDER_REVIEW' | 'RESOLVED';
  dispute_amount: Money;
  seller_response_due_date: string;
  dispute_life_cycle_stage: 'CHARGEBACK';
  dispute_outcome?: { outcome_code: DisputeOutcome; amount_refunded?: Money };
}

export type DisputeOutcome = 'RESOLVED_BUYER_FAVOUR' | 'RESOLVED_SELLER_FAVOUR';

/** One item of a Payouts batch (Payouts API v1). */
export interface PayoutItem {
  payout_item_id: string;
  transaction_id: string | null;
  transaction_status: string;
  payout_item_fee: { currency: string; value: string };
  payout_batch_id: string;
  sender_batch_id: string;
  payout_item: {
    recipient_type: 'EMAIL';
    amount: { currency: string; value: string };
    receiver: string;
    sender_item_id: string;
  };
  time_processed: string | null;
  errors?: { name: string; message: string };
}

interface PayoutBatch {
  batch_header: {
    payout_batch_id: string;
    batch_status: 'PENDING' | 'PROCESSING' | 'SUCCESS';
    time_created: string;
    sender_batch_header: { sender_batch_id: string; email_subject?: string };
    amount: { currency: string; value: string };
  };
  items: PayoutItem[];
}

/**
 * What happens to a payout, by its receiver (the simulator's test accounts, as Stripe has test
 * cards): `…+fail@…` is refused by the receiving account (FAILED), `…+unclaimed@…` has no PayPal
 * account (UNCLAIMED, then RETURNED at `returnUnclaimed`), `…+hold@…` stays PENDING until
 * `completePayoutItem`; anyone else is paid (SUCCESS).
 */
function payoutOutcome(receiver: string): 'SUCCESS' | 'FAILED' | 'UNCLAIMED' | 'PENDING' {
  const tag = /\+(\w+)@/.exec(receiver)?.[1];

  return tag === 'fail'
    ? 'FAILED'
    : tag === 'unclaimed'
      ? 'UNCLAIMED'
      : tag === 'hold'
        ? 'PENDING'
        : 'SUCCESS';
}

/** PayPal's fee on a domestic checkout payment: 3.49 % + 49 cents. */
const checkoutFee = (amount: number): number => Math.round(amount * 0.0349) + 49;

/** One line of Transaction Search (`transaction_info`). */
export interface TransactionInfo {
  transaction_id: string;
  /** T0006 checkout payment, T1107 refund, T0001 payout. */
  transaction_event_code: string;
  transaction_initiation_date: string;
  transaction_updated_date: string;
  transaction_amount: Money;
  fee_amount?: Money;
  transaction_status: 'S' | 'P' | 'V' | 'D';
  custom_field?: string;
}

/** A Payouts request's body. */
interface PayoutsRequest {
  sender_batch_header?: { sender_batch_id?: string; email_subject?: string };
  items?: {
    receiver?: string;
    amount?: { value?: string; currency?: string };
    sender_item_id?: string;
  }[];
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
  readonly disputes = new Map<string, PayPalDispute>();
  readonly payoutBatches = new Map<string, PayoutBatch>();
  /** The account's transactions, oldest first (what Transaction Search reports). */
  readonly transactions: TransactionInfo[] = [];
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
        url.searchParams,
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

  private route(
    method: string,
    path: string,
    body: RequestBody,
    query: URLSearchParams,
  ): [number, unknown] {
    const parts = path.split('/').filter(Boolean);
    if (method === 'GET' && path === '/v1/reporting/transactions') {
      return [200, this.searchTransactions(query)];
    }
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
    if (method === 'GET' && parts[0] === 'v2' && parts[2] === 'captures' && parts.length === 4) {
      return [200, this.find('captures', parts[3]!).movement];
    }
    if (parts[0] === 'v1' && parts[1] === 'payments' && parts[2] === 'payouts') {
      if (method === 'POST' && parts.length === 3) {
        return [201, this.createPayouts(body as PayoutsRequest)];
      }
      if (method === 'GET' && parts.length === 4) {
        return [200, this.payoutBatch(parts[3]!)];
      }
    }
    if (
      method === 'GET' &&
      parts[0] === 'v1' &&
      parts[2] === 'payouts-item' &&
      parts.length === 4
    ) {
      return [200, this.payoutItem(parts[3]!)];
    }
    if (parts[0] === 'v1' && parts[1] === 'customer' && parts[2] === 'disputes') {
      if (method === 'GET' && parts.length === 4) {
        return [200, this.dispute(parts[3]!)];
      }
      if (method === 'POST' && parts[4] === 'accept-claim') {
        // The seller accepts the claim: the buyer keeps the money.
        this.resolveDispute(this.dispute(parts[3]!).dispute_id, 'RESOLVED_BUYER_FAVOUR');

        return [200, { links: [] }];
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

  /**
   * `POST /v1/payments/payouts`: a batch of items to PayPal accounts, answered PENDING; each item
   * is then processed (see `payoutOutcome`) and its event sent. A `sender_batch_id` used before
   * is refused, as PayPal does.
   */
  private createPayouts(body: PayoutsRequest) {
    const senderBatchId = body.sender_batch_header?.sender_batch_id;
    const items = body.items ?? [];
    const valid = items.every(
      (item) =>
        typeof item.receiver === 'string' &&
        /^[^@\s]+@[^@\s]+$/.test(item.receiver) &&
        /^\d+(\.\d{2})?$/.test(item.amount?.value ?? '') &&
        /^[A-Z]{3}$/.test(item.amount?.currency ?? ''),
    );
    if (!senderBatchId || items.length === 0 || !valid) {
      throw new PayPalError(
        400,
        'VALIDATION_ERROR',
        'Invalid request - see details.',
        'INVALID_PARAMETER_VALUE',
      );
    }
    if (
      [...this.payoutBatches.values()].some(
        (b) => b.batch_header.sender_batch_header.sender_batch_id === senderBatchId,
      )
    ) {
      throw new PayPalError(
        400,
        'USER_BUSINESS_ERROR',
        'Batch with given sender_batch_id already exists',
        'DUPLICATE_REQUEST_ID',
      );
    }
    const batchId = randomBytes(7).toString('hex').toUpperCase();
    const currency = items[0]!.amount!.currency!;
    const total = items.reduce((sum, item) => sum + cents(item.amount!.value!), 0);
    const batch: PayoutBatch = {
      batch_header: {
        payout_batch_id: batchId,
        batch_status: 'PENDING',
        time_created: new Date().toISOString(),
        sender_batch_header: {
          sender_batch_id: senderBatchId,
          email_subject: body.sender_batch_header?.email_subject,
        },
        amount: { currency, value: money(currency, total).value },
      },
      items: items.map((item) => ({
        payout_item_id: randomBytes(7).toString('hex').toUpperCase(),
        transaction_id: null,
        transaction_status: 'PENDING',
        payout_item_fee: { currency, value: '0.00' },
        payout_batch_id: batchId,
        sender_batch_id: senderBatchId,
        payout_item: {
          recipient_type: 'EMAIL',
          amount: { currency: item.amount!.currency!, value: item.amount!.value! },
          receiver: item.receiver!,
          sender_item_id: item.sender_item_id ?? '',
        },
        time_processed: null,
      })),
    };
    this.payoutBatches.set(batchId, batch);
    // PayPal processes the batch after answering.
    setImmediate(() => this.processPayouts(batch));

    return {
      batch_header: {
        payout_batch_id: batchId,
        batch_status: 'PENDING',
        sender_batch_header: batch.batch_header.sender_batch_header,
      },
      links: [
        {
          href: `${this.url}/v1/payments/payouts/${batchId}`,
          rel: 'self',
          method: 'GET',
        },
      ],
    };
  }

  private processPayouts(batch: PayoutBatch): void {
    batch.batch_header.batch_status = 'SUCCESS';
    this.emit('PAYMENT.PAYOUTSBATCH.SUCCESS', 'payouts', { batch_header: batch.batch_header });
    for (const item of batch.items) {
      const outcome = payoutOutcome(item.payout_item.receiver);
      if (outcome !== 'PENDING') {
        this.settlePayoutItem(item, outcome);
      }
    }
  }

  private settlePayoutItem(
    item: PayoutItem,
    status: 'SUCCESS' | 'FAILED' | 'UNCLAIMED' | 'RETURNED',
  ): void {
    item.transaction_status = status;
    item.time_processed = new Date().toISOString();
    if (status === 'SUCCESS') {
      item.transaction_id = randomBytes(8).toString('hex').toUpperCase();
      const { amount } = item.payout_item;
      this.record(
        item.transaction_id,
        'T0001',
        money(amount.currency, -cents(amount.value)),
        item.payout_item.sender_item_id,
      );
    }
    if (status === 'FAILED') {
      item.errors = {
        name: 'RECEIVER_ACCOUNT_LOCKED',
        message: 'Receiver account is locked or inactive',
      };
    }
    const events = {
      SUCCESS: 'PAYMENT.PAYOUTS-ITEM.SUCCEEDED',
      FAILED: 'PAYMENT.PAYOUTS-ITEM.FAILED',
      UNCLAIMED: 'PAYMENT.PAYOUTS-ITEM.UNCLAIMED',
      RETURNED: 'PAYMENT.PAYOUTS-ITEM.RETURNED',
    };
    this.emit(events[status], 'payouts_item', item);
  }

  private record(
    id: string,
    code: string,
    amount: Money,
    customField: string | undefined,
    fee?: number,
  ): void {
    const now = new Date().toISOString();
    this.transactions.push({
      transaction_id: id,
      transaction_event_code: code,
      transaction_initiation_date: now,
      transaction_updated_date: now,
      transaction_amount: amount,
      ...(fee === undefined ? {} : { fee_amount: money(amount.currency_code, -fee) }),
      transaction_status: 'S',
      custom_field: customField,
    });
  }

  /**
   * `GET /v1/reporting/transactions`: the transactions initiated in [start_date, end_date], paged
   * by `page` and `page_size` (PayPal refuses a window over 31 days; so does this).
   */
  private searchTransactions(query: URLSearchParams) {
    const start = Date.parse(query.get('start_date') ?? '');
    const end = Date.parse(query.get('end_date') ?? '');
    if (!(start <= end) || end - start > 31 * 86_400_000) {
      throw new PayPalError(
        400,
        'INVALID_REQUEST',
        'Request is not well-formed, syntactically incorrect, or violates schema.',
        'INVALID_DATE_RANGE',
      );
    }
    const size = Math.min(Number(query.get('page_size') ?? 100), 500);
    const page = Number(query.get('page') ?? 1);
    const matching = this.transactions.filter((t) => {
      const at = Date.parse(t.transaction_initiation_date);

      return at >= start && at <= end;
    });

    return {
      transaction_details: matching
        .slice((page - 1) * size, page * size)
        .map((info) => ({ transaction_info: info })),
      account_number: 'SIMULATOR',
      start_date: new Date(start).toISOString(),
      end_date: new Date(end).toISOString(),
      last_refreshed_datetime: new Date().toISOString(),
      page,
      total_items: matching.length,
      total_pages: Math.max(1, Math.ceil(matching.length / size)),
    };
  }

  /** An unclaimed payout's 30 days have passed: PayPal returns it to the sender. */
  returnUnclaimed(itemId: string): PayoutItem {
    const item = this.payoutItem(itemId);
    if (item.transaction_status !== 'UNCLAIMED') {
      throw new Error(`payout item ${itemId} is ${item.transaction_status}, not UNCLAIMED`);
    }
    this.settlePayoutItem(item, 'RETURNED');

    return item;
  }

  /** Completes a held (`+hold@`) item as PayPal would: paid, or failed. */
  completePayoutItem(itemId: string, status: 'SUCCESS' | 'FAILED'): PayoutItem {
    const item = this.payoutItem(itemId);
    this.settlePayoutItem(item, status);

    return item;
  }

  /** The item PayPal made of our payout (`sender_item_id`). */
  payoutItemOf(senderItemId: string): PayoutItem | undefined {
    for (const batch of this.payoutBatches.values()) {
      const item = batch.items.find((i) => i.payout_item.sender_item_id === senderItemId);
      if (item) {
        return item;
      }
    }

    return undefined;
  }

  private payoutBatch(id: string): PayoutBatch {
    const batch = this.payoutBatches.get(id);
    if (!batch) {
      throw new PayPalError(
        404,
        'INVALID_RESOURCE_ID',
        'Requested resource ID was not found.',
        'INVALID_RESOURCE_ID',
      );
    }

    return batch;
  }

  private payoutItem(id: string): PayoutItem {
    for (const batch of this.payoutBatches.values()) {
      const item = batch.items.find((i) => i.payout_item_id === id);
      if (item) {
        return item;
      }
    }
    throw new PayPalError(
      404,
      'INVALID_RESOURCE_ID',
      'Requested resource ID was not found.',
      'INVALID_RESOURCE_ID',
    );
  }

  private dispute(id: string): PayPalDispute {
    const dispute = this.disputes.get(id);
    if (!dispute) {
      throw new PayPalError(
        404,
        'RESOURCE_NOT_FOUND',
        'The specified resource does not exist.',
        'INVALID_RESOURCE_ID',
      );
    }

    return dispute;
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

  /** A completed capture of `amount`, with PayPal's fee on it. */
  private captureOf(order: Order, amount: number): Movement {
    const currency = this.unit(order).amount.currency_code;
    const fee = checkoutFee(amount);
    const capture = this.movement(order, 'CAP', amount, 'COMPLETED');
    this.record(capture.id, 'T0006', money(currency, amount), this.unit(order).custom_id, fee);

    return {
      ...capture,
      seller_receivable_breakdown: {
        gross_amount: money(currency, amount),
        paypal_fee: money(currency, fee),
        net_amount: money(currency, amount - fee),
      },
    };
  }

  /**
   * The buyer disputes the order's first capture (what a test, or the sandbox's buyer UI, does):
   * a chargeback-stage dispute for what is captured and not refunded, the seller's answer due
   * in 10 days.
   */
  openDispute(orderId: string, reason = 'UNAUTHORISED'): PayPalDispute {
    const payments = this.unit(this.order(orderId)).payments;
    const capture = payments.captures[0];
    if (!capture) {
      throw new Error(`order ${orderId} has no capture to dispute`);
    }
    const refunded = payments.refunds.reduce((sum, r) => sum + cents(r.amount.value), 0);
    const captured = payments.captures.reduce((sum, c) => sum + cents(c.amount.value), 0);
    const now = new Date();
    const dispute: PayPalDispute = {
      dispute_id: `PP-D-${randomBytes(4).readUInt32BE()}`,
      create_time: now.toISOString(),
      update_time: now.toISOString(),
      disputed_transactions: [{ seller_transaction_id: capture.id }],
      reason,
      status: 'WAITING_FOR_SELLER_RESPONSE',
      dispute_amount: money(capture.amount.currency_code, captured - refunded),
      seller_response_due_date: new Date(now.getTime() + 10 * 86_400_000).toISOString(),
      dispute_life_cycle_stage: 'CHARGEBACK',
    };
    this.disputes.set(dispute.dispute_id, dispute);
    this.emit('CUSTOMER.DISPUTE.CREATED', 'dispute', dispute);

    return dispute;
  }

  /** PayPal decides the dispute: for the buyer (the seller loses it) or for the seller. */
  resolveDispute(id: string, outcome: DisputeOutcome): PayPalDispute {
    const dispute = this.disputes.get(id);
    if (!dispute || dispute.status === 'RESOLVED') {
      throw new PayPalError(
        422,
        'UNPROCESSABLE_ENTITY',
        'The dispute is not open.',
        'DISPUTE_NOT_OPEN',
      );
    }
    dispute.status = 'RESOLVED';
    dispute.update_time = new Date().toISOString();
    dispute.dispute_outcome = {
      outcome_code: outcome,
      ...(outcome === 'RESOLVED_BUYER_FAVOUR' ? { amount_refunded: dispute.dispute_amount } : {}),
    };
    this.emit('CUSTOMER.DISPUTE.RESOLVED', 'dispute', dispute);

    return dispute;
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
    const capture = this.captureOf(order, cents(this.unit(order).amount.value));
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
    const capture = { ...this.captureOf(order, amount), final_capture: final };
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
    this.record(
      refund.id,
      'T1107',
      money(capture.amount.currency_code, -amount),
      this.unit(order).custom_id,
    );
    capture.status = amount === left ? 'REFUNDED' : 'PARTIALLY_REFUNDED';
    this.emit('PAYMENT.CAPTURE.REFUNDED', 'refund', refund);

    return refund;
  }
}
