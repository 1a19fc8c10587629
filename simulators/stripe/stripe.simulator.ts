import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface StripeSimulatorOptions {
  /** The secret key callers must present (`Authorization: Bearer sk_…`). */
  secretKey: string;
  /** The endpoint's signing secret (`whsec_…`) the webhooks are signed with. */
  webhookSecret: string;
  /** Where events are POSTed; none: events are only recorded. */
  webhookUrl?: string;
}

/** How events reach the endpoint: tests turn these to reproduce what Stripe does in the wild. */
export interface DeliveryMode {
  /** Each event is sent this many times (Stripe delivers at least once). */
  copies: number;
  /** Wait this long before sending. */
  delayMs: number;
  /** Keep events in `held` until `release()` (to reorder them, or to send them later). */
  hold: boolean;
}

export interface StripeEvent {
  id: string;
  object: 'event';
  api_version: string;
  created: number;
  livemode: false;
  pending_webhooks: number;
  type: string;
  data: { object: Record<string, unknown> };
}

type CaptureMethod = 'automatic' | 'manual';

interface PaymentIntent {
  id: string;
  object: 'payment_intent';
  amount: number;
  amount_capturable: number;
  amount_received: number;
  currency: string;
  capture_method: CaptureMethod;
  client_secret: string;
  status: string;
  metadata: Record<string, string>;
  latest_charge: string | null;
  last_payment_error: Record<string, unknown> | null;
  created: number;
  livemode: false;
}

interface Charge {
  id: string;
  object: 'charge';
  amount: number;
  amount_captured: number;
  amount_refunded: number;
  captured: boolean;
  refunded: boolean;
  currency: string;
  payment_intent: string;
  status: string;
  /** The balance transaction of the latest capture. */
  balance_transaction: string | null;
  disputed: boolean;
  created: number;
  livemode: false;
}

/** A movement of the account's balance, with Stripe's fee on it. */
interface BalanceTransaction {
  id: string;
  object: 'balance_transaction';
  amount: number;
  currency: string;
  fee: number;
  net: number;
  /** The charge, refund or dispute that caused it. */
  source: string;
  type: 'charge' | 'refund' | 'adjustment';
  reporting_category: 'charge' | 'refund' | 'dispute' | 'dispute_reversal';
  status: 'available';
  created: number;
  available_on: number;
}

interface Dispute {
  id: string;
  object: 'dispute';
  amount: number;
  currency: string;
  charge: string;
  payment_intent: string;
  reason: string;
  status: 'needs_response' | 'under_review' | 'won' | 'lost';
  evidence: Record<string, string>;
  evidence_details: {
    due_by: number;
    has_evidence: boolean;
    past_due: boolean;
    submission_count: number;
  };
  balance_transactions: BalanceTransaction[];
  created: number;
  livemode: false;
}

/** Stripe's fee on a card charge in the US: 2.9 % + 30 cents. */
const cardFee = (amount: number): number => Math.round(amount * 0.029) + 30;

/**
 * The SDK's form encoding: `a=1&metadata[k]=v`, one level of brackets (all the simulated
 * endpoints take).
 */
function parseForm(text: string): Record<string, unknown> {
  const form: Record<string, unknown> = {};
  for (const [name, value] of new URLSearchParams(text)) {
    const nested = /^([^[]+)\[([^\]]*)\]$/.exec(name);
    if (nested) {
      const inner = (form[nested[1]!] ??= {}) as Record<string, string>;
      inner[nested[2]!] = value;
    } else {
      form[name] = value;
    }
  }

  return form;
}

/** A refusal as Stripe answers it: status and `{ error: { type, code, message, … } }`. */
class StripeError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(String(body.message));
  }
}

const invalidRequest = (message: string, param?: string, code?: string) =>
  new StripeError(400, { type: 'invalid_request_error', message, param, code });

/**
 * Stripe's test payment methods the simulator knows, and the card error each one causes (none:
 * the card pays). https://docs.stripe.com/testing#declined-payments
 */
const TEST_CARDS: Record<string, { code: string; decline_code?: string } | null> = {
  pm_card_visa: null,
  pm_card_mastercard: null,
  pm_card_chargeDeclined: { code: 'card_declined', decline_code: 'generic_decline' },
  pm_card_chargeDeclinedInsufficientFunds: {
    code: 'card_declined',
    decline_code: 'insufficient_funds',
  },
  pm_card_chargeDeclinedFraudulent: { code: 'card_declined', decline_code: 'fraudulent' },
  pm_card_chargeDeclinedExpiredCard: { code: 'expired_card' },
  pm_card_chargeDeclinedProcessingError: { code: 'processing_error' },
  pm_card_createDispute: null,
};

/** Test methods whose payment the cardholder disputes once it is captured (Stripe's 4000 0000 0000 0259). */
const DISPUTING_CARDS = ['pm_card_createDispute'];

const API_VERSION = '2025-01-27.acacia';

/** `Stripe-Signature` as Stripe computes it: HMAC-SHA256 of `<t>.<body>` under the secret. */
export function stripeSignature(body: string, secret: string, timestamp: number): string {
  const v1 = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');

  return `t=${timestamp},v1=${v1}`;
}

/**
 * A local Stripe for development, tests and the benchmark: PaymentIntents (create, retrieve,
 * confirm with Stripe's test payment methods, capture, partial and multicapture, cancel) and
 * refunds, on the form-encoded wire format the official SDK sends, with Idempotency-Key replay.
 * Every state change emits the event Stripe emits, signed the way Stripe signs it and POSTed to
 * the webhook URL; `delivery` duplicates, delays or holds them (release in any order). In memory.
 */
export class StripeSimulator {
  readonly intents = new Map<string, PaymentIntent>();
  readonly charges = new Map<string, Charge>();
  readonly disputes = new Map<string, Dispute>();
  readonly refunds = new Map<string, Record<string, unknown>>();
  /** Every balance transaction, oldest first (the settlement report Stripe exports). */
  readonly balanceTransactions: BalanceTransaction[] = [];
  /** Intents paid with a disputing test card: disputed once captured. */
  private readonly disputing = new Set<string>();
  /** Every event emitted, in order. */
  readonly events: StripeEvent[] = [];
  /** When each event's first copy was first POSTed (ms since the epoch): benchmarks time from it. */
  readonly sentAt = new Map<string, number>();
  /** Events waiting for `release()` while `delivery.hold` is on. */
  readonly held: StripeEvent[] = [];
  delivery: DeliveryMode = { copies: 1, delayMs: 0, hold: false };
  /** How long a merchant has to answer a dispute with evidence (Stripe: 7 days, or more). */
  evidenceWindowSeconds = 7 * 24 * 3600;
  /** The simulator's clock, in Unix seconds (event `created`, signature timestamps). */
  now: () => number = () => Math.floor(Date.now() / 1000);
  private server?: Server;
  private readonly replies = new Map<string, { status: number; body: string }>();
  private readonly sending = new Set<Promise<void>>();

  constructor(readonly options: StripeSimulatorOptions) {}

  get url(): string {
    const address = this.server?.address() as AddressInfo | undefined;
    if (!address) {
      throw new Error('the Stripe simulator is not listening');
    }

    return `http://127.0.0.1:${address.port}`;
  }

  async start(port = 0, host = '127.0.0.1'): Promise<string> {
    this.server = createServer((req, res) => void this.serve(req, res));
    this.server.keepAliveTimeout = 60_000;
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

  /** Resolves once every delivery in flight has been answered (or given up). */
  async settled(): Promise<void> {
    while (this.sending.size > 0) {
      await Promise.all([...this.sending]);
    }
  }

  /** Sends the held events, in `order` (indexes into `held`) or as they came; clears `held`. */
  release(order?: number[]): void {
    const events = order ? order.map((i) => this.held[i]!) : [...this.held];
    this.held.length = 0;
    for (const event of events) {
      this.send(event);
    }
  }

  /** The body and `Stripe-Signature` Stripe would send for `event` at `timestamp`. */
  signed(event: StripeEvent, timestamp = this.now(), secret = this.options.webhookSecret) {
    const body = JSON.stringify(event, null, 2);

    return { body, signature: stripeSignature(body, secret, timestamp) };
  }

  private emit(
    type: string,
    object: PaymentIntent | Charge | Dispute | Record<string, unknown>,
  ): void {
    const event: StripeEvent = {
      id: `evt_${randomBytes(12).toString('hex')}`,
      object: 'event',
      api_version: API_VERSION,
      created: this.now(),
      livemode: false,
      pending_webhooks: 1,
      type,
      data: { object: structuredClone(object) as Record<string, unknown> },
    };
    this.events.push(event);
    if (this.delivery.hold) {
      this.held.push(event);
    } else {
      this.send(event);
    }
  }

  private send(event: StripeEvent): void {
    if (!this.options.webhookUrl) {
      return;
    }
    for (let copy = 0; copy < this.delivery.copies; copy++) {
      const sending = this.deliver(event).finally(() => this.sending.delete(sending));
      this.sending.add(sending);
    }
  }

  /** POSTs one copy, retrying a refused or failed delivery a few times as Stripe does (faster). */
  private async deliver(event: StripeEvent): Promise<void> {
    if (this.delivery.delayMs > 0) {
      await sleep(this.delivery.delayMs);
    }
    for (let attempt = 0; attempt < 5; attempt++) {
      const { body, signature } = this.signed(event);
      if (!this.sentAt.has(event.id)) {
        this.sentAt.set(event.id, Date.now());
      }
      try {
        const response = await fetch(this.options.webhookUrl!, {
          method: 'POST',
          headers: {
            'content-type': 'application/json; charset=utf-8',
            'stripe-signature': signature,
            'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
          },
          body,
        });
        await response.arrayBuffer();
        if (response.ok) {
          return;
        }
      } catch {
        // The endpoint is down: try again, as Stripe does.
      }
      await sleep(100 * 2 ** attempt);
    }
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) {
      chunks.push(chunk as Buffer);
    }
    const reply = (status: number, body: string) => {
      res.writeHead(status, {
        'content-type': 'application/json',
        'request-id': `req_${randomBytes(8).toString('hex')}`,
      });
      res.end(body);
    };
    if (req.headers.authorization !== `Bearer ${this.options.secretKey}`) {
      reply(
        401,
        JSON.stringify({
          error: { type: 'invalid_request_error', message: 'Invalid API Key provided' },
        }),
      );

      return;
    }
    const key = req.headers['idempotency-key'];
    const replayKey = typeof key === 'string' ? `${req.method} ${req.url} ${key}` : undefined;
    const stored = replayKey ? this.replies.get(replayKey) : undefined;
    if (stored) {
      reply(stored.status, stored.body);

      return;
    }
    let status = 200;
    let body: unknown;
    try {
      const url = new URL(req.url ?? '/', 'http://stripe');
      body = this.route(
        req.method ?? 'GET',
        url.pathname,
        parseForm(
          req.method === 'GET' ? url.search.slice(1) : Buffer.concat(chunks).toString('utf8'),
        ),
      );
    } catch (error) {
      if (!(error instanceof StripeError)) {
        throw error;
      }
      status = error.status;
      body = { error: error.body };
    }
    const text = JSON.stringify(body);
    if (replayKey && req.method === 'POST') {
      this.replies.set(replayKey, { status, body: text });
    }
    reply(status, text);
  }

  private route(method: string, path: string, form: Record<string, unknown>): unknown {
    const [, version, resource, id, action] = path.split('/');
    if (version !== 'v1') {
      throw new StripeError(404, {
        type: 'invalid_request_error',
        message: `Unrecognized request URL (${method}: ${path})`,
      });
    }
    if (resource === 'payment_intents') {
      if (method === 'POST' && !id) {
        return this.createIntent(form);
      }
      const intent = this.intent(id!);
      if (method === 'GET' && !action) {
        return intent;
      }
      if (method === 'POST' && action === 'confirm') {
        return this.confirm(intent, form);
      }
      if (method === 'POST' && action === 'capture') {
        return this.capture(intent, form);
      }
      if (method === 'POST' && action === 'cancel') {
        return this.cancel(intent);
      }
    }
    if (resource === 'refunds' && method === 'POST' && !id) {
      return this.refund(form);
    }
    if (resource === 'balance_transactions' && method === 'GET') {
      return id ? this.balanceTransaction(id) : this.listBalanceTransactions(form);
    }
    if (resource === 'disputes' && id) {
      const dispute = this.dispute(id);
      if (method === 'GET' && !action) {
        return dispute;
      }
      if (method === 'POST' && !action) {
        return this.submitEvidence(dispute, form);
      }
      if (method === 'POST' && action === 'close') {
        return this.closeDispute(dispute, 'lost');
      }
    }
    throw new StripeError(404, {
      type: 'invalid_request_error',
      message: `Unrecognized request URL (${method}: ${path})`,
    });
  }

  private intent(id: string): PaymentIntent {
    const intent = this.intents.get(id);
    if (!intent) {
      throw new StripeError(404, {
        type: 'invalid_request_error',
        code: 'resource_missing',
        param: 'intent',
        message: `No such payment_intent: '${id}'`,
      });
    }

    return intent;
  }

  private createIntent(form: Record<string, unknown>): PaymentIntent {
    const amount = Number(form.amount);
    if (!Number.isSafeInteger(amount) || amount < 1) {
      throw invalidRequest('Invalid positive integer', 'amount');
    }
    if (typeof form.currency !== 'string' || !/^[a-z]{3}$/.test(form.currency)) {
      throw invalidRequest('Invalid currency', 'currency');
    }
    const captureMethod = (form.capture_method ?? 'automatic') as CaptureMethod;
    if (captureMethod !== 'automatic' && captureMethod !== 'manual') {
      throw invalidRequest('Invalid capture_method', 'capture_method');
    }
    const id = `pi_${randomBytes(12).toString('hex')}`;
    const intent: PaymentIntent = {
      id,
      object: 'payment_intent',
      amount,
      amount_capturable: 0,
      amount_received: 0,
      currency: form.currency,
      capture_method: captureMethod,
      client_secret: `${id}_secret_${randomBytes(12).toString('hex')}`,
      status: 'requires_payment_method',
      metadata: (form.metadata ?? {}) as Record<string, string>,
      latest_charge: null,
      last_payment_error: null,
      created: this.now(),
      livemode: false,
    };
    this.intents.set(id, intent);
    this.emit('payment_intent.created', intent);

    return intent;
  }

  private confirm(intent: PaymentIntent, form: Record<string, unknown>): PaymentIntent {
    if (!['requires_payment_method', 'requires_confirmation'].includes(intent.status)) {
      throw invalidRequest(
        `This PaymentIntent's status is ${intent.status}; it cannot be confirmed`,
        undefined,
        'payment_intent_unexpected_state',
      );
    }
    const method = String(form.payment_method ?? '');
    if (!(method in TEST_CARDS)) {
      throw invalidRequest(
        `No such PaymentMethod: '${method}'`,
        'payment_method',
        'resource_missing',
      );
    }
    const decline = TEST_CARDS[method];
    if (decline) {
      const error = {
        type: 'card_error',
        ...decline,
        message: 'Your card was declined.',
        payment_method: { id: method },
      };
      intent.status = 'requires_payment_method';
      intent.last_payment_error = error;
      this.emit('payment_intent.payment_failed', intent);
      throw new StripeError(402, { ...error, payment_intent: structuredClone(intent) });
    }
    const charge: Charge = {
      id: `ch_${randomBytes(12).toString('hex')}`,
      object: 'charge',
      amount: intent.amount,
      amount_captured: 0,
      amount_refunded: 0,
      captured: false,
      refunded: false,
      currency: intent.currency,
      payment_intent: intent.id,
      status: 'succeeded',
      balance_transaction: null,
      disputed: false,
      created: this.now(),
      livemode: false,
    };
    this.charges.set(charge.id, charge);
    if (DISPUTING_CARDS.includes(method)) {
      this.disputing.add(intent.id);
    }
    intent.latest_charge = charge.id;
    intent.last_payment_error = null;
    if (intent.capture_method === 'manual') {
      intent.status = 'requires_capture';
      intent.amount_capturable = intent.amount;
      this.emit('payment_intent.amount_capturable_updated', intent);
    } else {
      this.settleCapture(intent, charge, intent.amount, true);
    }

    return intent;
  }

  private capture(intent: PaymentIntent, form: Record<string, unknown>): PaymentIntent {
    if (intent.status !== 'requires_capture') {
      throw invalidRequest(
        `This PaymentIntent could not be captured because it has a status of ${intent.status}.`,
        undefined,
        'payment_intent_unexpected_state',
      );
    }
    const amount =
      form.amount_to_capture === undefined
        ? intent.amount_capturable
        : Number(form.amount_to_capture);
    if (!Number.isSafeInteger(amount) || amount < 1 || amount > intent.amount_capturable) {
      throw invalidRequest(
        `amount_to_capture must be between 1 and ${intent.amount_capturable}`,
        'amount_to_capture',
        'amount_too_large',
      );
    }
    this.settleCapture(
      intent,
      this.charges.get(intent.latest_charge!)!,
      amount,
      form.final_capture !== 'false',
    );

    return intent;
  }

  /** Moves `amount` to captured; a final capture releases the rest of the authorisation. */
  private settleCapture(
    intent: PaymentIntent,
    charge: Charge,
    amount: number,
    final: boolean,
  ): void {
    intent.amount_received += amount;
    charge.amount_captured += amount;
    charge.captured = true;
    charge.balance_transaction = this.book(
      charge.id,
      'charge',
      'charge',
      amount,
      cardFee(amount),
      charge.currency,
    ).id;
    if (final) {
      intent.amount_capturable = 0;
      intent.status = 'succeeded';
      this.emit('charge.succeeded', charge);
      this.emit('payment_intent.succeeded', intent);
      if (this.disputing.delete(intent.id)) {
        this.openDispute(intent.id);
      }
    } else {
      intent.amount_capturable -= amount;
      this.emit('charge.captured', charge);
      this.emit('payment_intent.amount_capturable_updated', intent);
    }
  }

  private cancel(intent: PaymentIntent): PaymentIntent {
    if (intent.status === 'succeeded' || intent.status === 'canceled') {
      throw invalidRequest(
        `You cannot cancel this PaymentIntent because it has a status of ${intent.status}.`,
        undefined,
        'payment_intent_unexpected_state',
      );
    }
    intent.status = 'canceled';
    intent.amount_capturable = 0;
    this.emit('payment_intent.canceled', intent);

    return intent;
  }

  private refund(form: Record<string, unknown>): Record<string, unknown> {
    const intent = this.intent(String(form.payment_intent ?? ''));
    const charge = intent.latest_charge ? this.charges.get(intent.latest_charge) : undefined;
    if (!charge || charge.amount_captured === 0) {
      throw invalidRequest('This PaymentIntent has no captured charge to refund', 'payment_intent');
    }
    const left = charge.amount_captured - charge.amount_refunded;
    const amount = form.amount === undefined ? left : Number(form.amount);
    if (!Number.isSafeInteger(amount) || amount < 1 || amount > left) {
      throw invalidRequest(
        `Refund amount (${amount}) is greater than unrefunded amount on charge (${left})`,
        'amount',
        left === 0 ? 'charge_already_refunded' : 'amount_too_large',
      );
    }
    charge.amount_refunded += amount;
    charge.refunded = charge.amount_refunded === charge.amount_captured;
    const refund = {
      id: `re_${randomBytes(12).toString('hex')}`,
      object: 'refund',
      amount,
      currency: charge.currency,
      charge: charge.id,
      payment_intent: intent.id,
      status: 'succeeded',
      created: this.now(),
    };
    this.refunds.set(refund.id, refund);
    this.book(refund.id, 'refund', 'refund', -amount, 0, charge.currency);
    this.emit('charge.refunded', charge);
    this.emit('refund.created', refund);

    return refund;
  }

  /**
   * The cardholder disputes the intent's charge (what its disputing test card, or a test,
   * triggers): Stripe withdraws the disputed amount and asks for evidence (`evidenceWindowSeconds`).
   */
  openDispute(intentId: string, reason = 'fraudulent'): Dispute {
    const intent = this.intent(intentId);
    const charge = this.charges.get(intent.latest_charge ?? '');
    if (!charge || charge.amount_captured === 0) {
      throw new Error(`payment intent ${intentId} has no captured charge to dispute`);
    }
    const amount = charge.amount_captured - charge.amount_refunded;
    const id = `dp_${randomBytes(12).toString('hex')}`;
    const dispute: Dispute = {
      id,
      object: 'dispute',
      amount,
      currency: charge.currency,
      charge: charge.id,
      payment_intent: intent.id,
      reason,
      status: 'needs_response',
      evidence: {},
      evidence_details: {
        due_by: this.now() + this.evidenceWindowSeconds,
        has_evidence: false,
        past_due: false,
        submission_count: 0,
      },
      balance_transactions: [this.book(id, 'adjustment', 'dispute', -amount, 0, charge.currency)],
      created: this.now(),
      livemode: false,
    };
    charge.disputed = true;
    this.disputes.set(id, dispute);
    this.emit('charge.dispute.created', dispute);

    return dispute;
  }

  private dispute(id: string): Dispute {
    const dispute = this.disputes.get(id);
    if (!dispute) {
      throw new StripeError(404, {
        type: 'invalid_request_error',
        code: 'resource_missing',
        message: `No such dispute: '${id}'`,
      });
    }

    return dispute;
  }

  /**
   * Evidence submitted (`submit` defaults to true). As in Stripe's test mode, the text
   * `winning_evidence` wins the dispute and `losing_evidence` loses it.
   */
  private submitEvidence(dispute: Dispute, form: Record<string, unknown>): Dispute {
    if (dispute.status === 'won' || dispute.status === 'lost') {
      throw invalidRequest('This dispute is already closed', undefined, 'dispute_already_closed');
    }
    Object.assign(dispute.evidence, (form.evidence ?? {}) as Record<string, string>);
    dispute.evidence_details.has_evidence = true;
    if (form.submit === 'false') {
      this.emit('charge.dispute.updated', dispute);

      return dispute;
    }
    dispute.evidence_details.submission_count += 1;
    const text = dispute.evidence.uncategorized_text;
    if (text === 'winning_evidence' || text === 'losing_evidence') {
      return this.closeDispute(dispute, text === 'winning_evidence' ? 'won' : 'lost');
    }
    dispute.status = 'under_review';
    this.emit('charge.dispute.updated', dispute);

    return dispute;
  }

  /** Closes a dispute; won, the withdrawn amount comes back. */
  closeDispute(dispute: Dispute, status: 'won' | 'lost'): Dispute {
    if (dispute.status === 'won' || dispute.status === 'lost') {
      throw invalidRequest('This dispute is already closed', undefined, 'dispute_already_closed');
    }
    dispute.status = status;
    if (status === 'won') {
      dispute.balance_transactions.push(
        this.book(
          dispute.id,
          'adjustment',
          'dispute_reversal',
          dispute.amount,
          0,
          dispute.currency,
        ),
      );
    }
    this.emit('charge.dispute.closed', dispute);

    return dispute;
  }

  /** Records a movement of the balance (and the fee Stripe takes on it). */
  private book(
    source: string,
    type: BalanceTransaction['type'],
    category: BalanceTransaction['reporting_category'],
    amount: number,
    fee: number,
    currency: string,
  ): BalanceTransaction {
    const transaction: BalanceTransaction = {
      id: `txn_${randomBytes(12).toString('hex')}`,
      object: 'balance_transaction',
      amount,
      currency,
      fee,
      net: amount - fee,
      source,
      type,
      reporting_category: category,
      status: 'available',
      created: this.now(),
      available_on: this.now(),
    };
    this.balanceTransactions.push(transaction);

    return transaction;
  }

  /** What `expand: ['data.source']` puts in place of a balance transaction's source id. */
  private sourceOf(id: string): unknown {
    return this.charges.get(id) ?? this.refunds.get(id) ?? this.disputes.get(id) ?? id;
  }

  private balanceTransaction(id: string): BalanceTransaction {
    const transaction = this.balanceTransactions.find((t) => t.id === id);
    if (!transaction) {
      throw new StripeError(404, {
        type: 'invalid_request_error',
        code: 'resource_missing',
        message: `No such balance transaction: '${id}'`,
      });
    }

    return transaction;
  }

  /**
   * `GET /v1/balance_transactions` (the settlement report), newest first, filtered by `source`,
   * `type` and `created[gte]` / `created[lt]`, paged by `starting_after` and `limit` as Stripe's
   * lists are; `expand[]=data.source` inlines each charge, refund or dispute.
   */
  private listBalanceTransactions(form: Record<string, unknown>) {
    const created = (form.created ?? {}) as Record<string, string>;
    const matching = this.balanceTransactions
      .filter(
        (t) =>
          (form.source === undefined || t.source === form.source) &&
          (form.type === undefined || t.type === form.type) &&
          (created.gte === undefined || t.created >= Number(created.gte)) &&
          (created.lt === undefined || t.created < Number(created.lt)),
      )
      .reverse();
    const after = form.starting_after
      ? matching.findIndex((t) => t.id === form.starting_after) + 1
      : 0;
    const limit = Math.min(Number(form.limit ?? 10), 100);
    const expand = Object.values((form.expand ?? {}) as Record<string, string>);
    const data = matching
      .slice(after, after + limit)
      .map((t) => (expand.includes('data.source') ? { ...t, source: this.sourceOf(t.source) } : t));

    return {
      object: 'list',
      url: '/v1/balance_transactions',
      has_more: after + limit < matching.length,
      data,
    };
  }
}
