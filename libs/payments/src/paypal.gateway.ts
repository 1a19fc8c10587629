import { AccountsService } from '@bourse/ledger';
import { APP_CONFIG } from '@bourse/platform';
import { Inject, Injectable } from '@nestjs/common';
import { validate as isUuid } from 'uuid';
import type { PaymentGateway } from './payment-gateway';
import type { PaymentsAppConfig } from './payments.config';
import { ProviderRefusedError, ProviderUnavailableError } from './payments.errors';
import type {
  CaptureMode,
  PaymentState,
  PayoutReport,
  PayoutState,
  ProviderReport,
  SettlementLine,
} from './payments.types';

interface Money {
  currency_code: string;
  value: string;
}

interface Movement {
  id: string;
  status: string;
  amount: Money;
  links?: { href: string; rel: string }[];
  /** Captures: what PayPal keeps (`paypal_fee`) and pays out of the gross. */
  seller_receivable_breakdown?: { paypal_fee?: Money };
}

/** What we read of an Orders v2 order. */
export interface PayPalOrder {
  id: string;
  intent: 'CAPTURE' | 'AUTHORIZE';
  status: string;
  purchase_units: {
    amount: Money;
    payments?: { captures?: Movement[]; authorizations?: Movement[]; refunds?: Movement[] };
  }[];
  links: { href: string; rel: string }[];
}

const CAPTURED = ['COMPLETED', 'PARTIALLY_REFUNDED', 'REFUNDED'];

/** A Payouts item's `transaction_status` in our payout states (anything else: still on its way). */
const PAYOUT_ITEM_STATES: Record<string, PayoutState> = {
  SUCCESS: 'paid',
  FAILED: 'failed',
  BLOCKED: 'failed',
  DENIED: 'failed',
  REVERSED: 'failed',
  CANCELED: 'failed',
  RETURNED: 'returned',
  REFUNDED: 'returned',
};

/** What we read of a Transaction Search line. */
interface PayPalTransactionInfo {
  transaction_id: string;
  transaction_event_code: string;
  transaction_status: string;
  transaction_amount: Money;
  fee_amount?: Money;
  custom_field?: string;
}

/** What we read of a Payouts item. */
export interface PayPalPayoutItem {
  payout_item_id: string;
  payout_batch_id: string;
  transaction_status: string;
  payout_item: {
    sender_item_id?: string;
    receiver: string;
    amount: { value: string; currency: string };
  };
}

export function reportOfPayoutItem(item: PayPalPayoutItem): PayoutReport {
  return {
    itemId: item.payout_item_id,
    state: PAYOUT_ITEM_STATES[item.transaction_status] ?? 'in_transit',
    providerStatus: item.transaction_status,
  };
}

/** A decimal amount string in minor units of `scale` decimals, and back; exact (no floats). */
export function toMinor(value: string, scale: number): bigint {
  const [whole, fraction = ''] = value.split('.');

  return BigInt(whole! + fraction.padEnd(scale, '0').slice(0, scale));
}

export function toDecimal(minor: bigint, scale: number): string {
  if (scale === 0) {
    return minor.toString();
  }
  const digits = minor.toString().padStart(scale + 1, '0');

  return `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

/**
 * PayPal on its REST APIs with plain fetch (the server SDK only knows PayPal's own hosts):
 * OAuth client credentials, Orders v2 (create, capture or authorize once the payer approved),
 * authorization captures and voids, capture refunds, and the verify-webhook-signature call, at
 * PAYMENTS_PAYPAL_API_URL. Every write carries a `PayPal-Request-Id` derived from our ids.
 */
@Injectable()
export class PayPalGateway implements PaymentGateway {
  private token?: { value: string; expiresAt: number };
  private readonly scales = new Map<string, number>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: PaymentsAppConfig,
    private readonly accounts: AccountsService,
  ) {}

  async createIntent(input: {
    paymentId: string;
    amount: bigint;
    asset: string;
    captureMode: CaptureMode;
  }): Promise<{ ref: string; clientSecret: null; approvalUrl: string | null }> {
    const order = await this.request<PayPalOrder>(
      'POST',
      '/v2/checkout/orders',
      {
        intent: input.captureMode === 'manual' ? 'AUTHORIZE' : 'CAPTURE',
        purchase_units: [
          {
            reference_id: input.paymentId,
            custom_id: input.paymentId,
            amount: {
              currency_code: input.asset,
              value: toDecimal(input.amount, await this.scale(input.asset)),
            },
          },
        ],
      },
      `payment:${input.paymentId}`,
    );
    const approve = order.links.find(
      (link) => link.rel === 'approve' || link.rel === 'payer-action',
    );

    return { ref: order.id, clientSecret: null, approvalUrl: approve?.href ?? null };
  }

  order(ref: string): Promise<PayPalOrder> {
    return this.request<PayPalOrder>('GET', `/v2/checkout/orders/${ref}`);
  }

  /**
   * Sends a payout to a PayPal account (Payouts API, one item, batch and item keyed by our id);
   * answers PayPal's batch id. PayPal pays asynchronously: the item's events say how it ended.
   */
  async createPayout(input: {
    payoutId: string;
    amount: bigint;
    asset: string;
    receiver: string;
  }): Promise<string> {
    const answer = await this.request<{ batch_header: { payout_batch_id: string } }>(
      'POST',
      '/v1/payments/payouts',
      {
        sender_batch_header: {
          sender_batch_id: input.payoutId,
          recipient_type: 'EMAIL',
          email_subject: 'You have a payout',
        },
        items: [
          {
            recipient_type: 'EMAIL',
            amount: { value: await this.decimal(input.amount, input.asset), currency: input.asset },
            receiver: input.receiver,
            sender_item_id: input.payoutId,
          },
        ],
      },
      `payout:${input.payoutId}`,
    );

    return answer.batch_header.payout_batch_id;
  }

  payoutItem(itemId: string): Promise<PayPalPayoutItem> {
    return this.request<PayPalPayoutItem>('GET', `/v1/payments/payouts-item/${itemId}`);
  }

  /**
   * PayPal's settlement report for [from, to) (Transaction Search, `/v1/reporting/transactions`,
   * every page): checkout captures (T0006, with their fee), refunds (T1107) and payouts (T0001)
   * that completed, naming our payment or payout id (the `custom_field` we set).
   */
  async settlementLines(from: Date, to: Date): Promise<SettlementLine[]> {
    const lines: SettlementLine[] = [];
    for (let page = 1, pages = 1; page <= pages; page += 1) {
      const query = new URLSearchParams({
        start_date: from.toISOString(),
        end_date: to.toISOString(),
        fields: 'transaction_info',
        page_size: '500',
        page: String(page),
      });
      const answer = await this.request<{
        transaction_details: { transaction_info: PayPalTransactionInfo }[];
        total_pages: number;
      }>('GET', `/v1/reporting/transactions?${query}`);
      pages = answer.total_pages;
      for (const { transaction_info: info } of answer.transaction_details) {
        if (info.transaction_status !== 'S' || !info.custom_field) {
          continue;
        }
        const asset = info.transaction_amount.currency_code;
        const amount = await this.minor(info.transaction_amount);
        // Ours carry our id; anything else stays keyed by what the seller put there.
        const ours = isUuid(info.custom_field);
        const line = {
          ref: info.transaction_id,
          asset,
          amount: amount < 0n ? -amount : amount,
          ...(ours ? {} : { paymentRef: info.custom_field }),
        };
        const paymentId = ours ? info.custom_field : undefined;
        if (info.transaction_event_code === 'T0006') {
          lines.push({ ...line, kind: 'capture', paymentId });
          const fee = info.fee_amount ? await this.minor(info.fee_amount) : 0n;
          if (fee !== 0n) {
            lines.push({ ...line, kind: 'fee', paymentId, amount: fee < 0n ? -fee : fee });
          }
        } else if (info.transaction_event_code === 'T1107') {
          lines.push({ ...line, kind: 'refund', paymentId });
        } else if (info.transaction_event_code === 'T0001') {
          lines.push({ ...line, kind: 'payout', payoutId: paymentId });
        }
      }
    }

    return lines;
  }

  /** The order a capture belongs to (a dispute names the capture only). */
  async orderOfCapture(captureId: string): Promise<string | undefined> {
    const capture = await this.request<{
      supplementary_data?: { related_ids?: { order_id?: string } };
    }>('GET', `/v2/payments/captures/${captureId}`);

    return capture.supplementary_data?.related_ids?.order_id;
  }

  /** After the payer approved: captures the order, or authorizes it for a manual capture. */
  complete(ref: string, captureMode: CaptureMode): Promise<PayPalOrder> {
    const action = captureMode === 'manual' ? 'authorize' : 'capture';

    return this.request<PayPalOrder>(
      'POST',
      `/v2/checkout/orders/${ref}/${action}`,
      {},
      `${action}:${ref}`,
    );
  }

  async capture(ref: string, amount: bigint, final: boolean, key: string): Promise<ProviderReport> {
    const order = await this.order(ref);
    const authorization = order.purchase_units[0]?.payments?.authorizations?.[0];
    if (!authorization) {
      throw new ProviderRefusedError('paypal', `order ${ref} has no authorization to capture`);
    }
    await this.request(
      'POST',
      `/v2/payments/authorizations/${authorization.id}/capture`,
      {
        amount: {
          currency_code: authorization.amount.currency_code,
          value: await this.decimal(amount, authorization.amount.currency_code),
        },
        final_capture: final,
      },
      key,
    );

    return this.reportOf(await this.order(ref));
  }

  async cancel(ref: string): Promise<ProviderReport> {
    const order = await this.order(ref);
    const authorization = order.purchase_units[0]?.payments?.authorizations?.[0];
    if (authorization?.status === 'CREATED') {
      await this.request(
        'POST',
        `/v2/payments/authorizations/${authorization.id}/void`,
        {},
        `void:${ref}`,
      );

      return this.reportOf(await this.order(ref));
    }

    // Never approved: nothing is held at PayPal, the order simply expires there.
    return { ...(await this.reportOf(order)), state: 'cancelled' };
  }

  /** Refunds `amount` from the order's captures, oldest first, each as far as it still allows. */
  async refund(ref: string, amount: bigint, key: string): Promise<void> {
    const order = await this.order(ref);
    const payments = order.purchase_units[0]?.payments ?? {};
    let left = amount;
    for (const capture of payments.captures ?? []) {
      if (left === 0n || !CAPTURED.includes(capture.status)) {
        continue;
      }
      const asset = capture.amount.currency_code;
      const scale = await this.scale(asset);
      const refunded = (payments.refunds ?? [])
        .filter((refund) =>
          refund.links?.some((link) => link.rel === 'up' && link.href.endsWith(`/${capture.id}`)),
        )
        .reduce((sum, refund) => sum + toMinor(refund.amount.value, scale), 0n);
      const take = [left, toMinor(capture.amount.value, scale) - refunded].reduce((a, b) =>
        a < b ? a : b,
      );
      if (take > 0n) {
        await this.request(
          'POST',
          `/v2/payments/captures/${capture.id}/refund`,
          { amount: { currency_code: asset, value: toDecimal(take, scale) } },
          `${key}:${capture.id}`,
        );
        left -= take;
      }
    }
    if (left > 0n) {
      throw new ProviderRefusedError(
        'paypal',
        `order ${ref} has ${left} less captured than refunded`,
      );
    }
  }

  /** The order's whole state, normalised: cumulative captures and refunds, and our state. */
  async reportOf(order: PayPalOrder): Promise<ProviderReport> {
    const unit = order.purchase_units[0]!;
    const scale = await this.scale(unit.amount.currency_code);
    const sum = (movements: Movement[] | undefined, statuses: string[]) =>
      (movements ?? [])
        .filter((movement) => statuses.includes(movement.status))
        .reduce((total, movement) => total + toMinor(movement.amount.value, scale), 0n);
    const captures = (unit.payments?.captures ?? []).filter((capture) =>
      CAPTURED.includes(capture.status),
    );
    const captured = sum(captures, CAPTURED);
    const fee = captures.reduce(
      (total, capture) =>
        total + toMinor(capture.seller_receivable_breakdown?.paypal_fee?.value ?? '0', scale),
      0n,
    );
    const authorization = unit.payments?.authorizations?.[0];
    const attempt = authorization ?? unit.payments?.captures?.[0];

    return {
      ref: order.id,
      state: stateOf(order, captured, authorization?.status),
      captured,
      refunded: sum(unit.payments?.refunds, ['COMPLETED']),
      fee,
      attempt: attempt && {
        providerRef: attempt.id,
        outcome: captured > 0n ? 'captured' : 'authorized',
      },
    };
  }

  /** Asks PayPal whether it signed this delivery (the verify-webhook-signature call). */
  async verifyWebhook(headers: Record<string, string>, event: unknown): Promise<boolean> {
    const answer = await this.request<{ verification_status: string }>(
      'POST',
      '/v1/notifications/verify-webhook-signature',
      {
        auth_algo: headers['paypal-auth-algo'],
        cert_url: headers['paypal-cert-url'],
        transmission_id: headers['paypal-transmission-id'],
        transmission_sig: headers['paypal-transmission-sig'],
        transmission_time: headers['paypal-transmission-time'],
        webhook_id: this.config.payments.paypal.webhookId,
        webhook_event: event,
      },
    );

    return answer.verification_status === 'SUCCESS';
  }

  /** Minor units of a PayPal amount in its currency. */
  async minor(amount: Money): Promise<bigint> {
    return toMinor(amount.value, await this.scale(amount.currency_code));
  }

  private async scale(asset: string): Promise<number> {
    let scale = this.scales.get(asset);
    if (scale === undefined) {
      scale = (await this.accounts.getAsset(asset))?.scale ?? 2;
      this.scales.set(asset, scale);
    }

    return scale;
  }

  private async decimal(amount: bigint, asset: string): Promise<string> {
    return toDecimal(amount, await this.scale(asset));
  }

  /** An OAuth access token (client credentials), reused until shortly before it expires. */
  private async accessToken(): Promise<string> {
    if (this.token && this.token.expiresAt > Date.now()) {
      return this.token.value;
    }
    const { clientId, clientSecret } = this.config.payments.paypal;
    const response = await this.send(`/v1/oauth2/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
    const body = (await response.json()) as { access_token: string; expires_in: number };
    this.token = {
      value: body.access_token,
      expiresAt: Date.now() + (body.expires_in - 60) * 1000,
    };

    return body.access_token;
  }

  private async request<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    requestId?: string,
  ): Promise<T> {
    const response = await this.send(path, {
      method,
      headers: {
        authorization: `Bearer ${await this.accessToken()}`,
        'content-type': 'application/json',
        prefer: 'return=representation',
        ...(requestId ? { 'paypal-request-id': requestId } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();

    return (text ? JSON.parse(text) : null) as T;
  }

  /** One call; PayPal's refusals as ours, a failure to answer as unavailable. */
  private async send(path: string, init: RequestInit): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(`${this.config.payments.paypal.apiUrl}${path}`, {
        ...init,
        signal: AbortSignal.timeout(20_000),
      });
    } catch {
      throw new ProviderUnavailableError('paypal');
    }
    if (response.status >= 500 || response.status === 429) {
      throw new ProviderUnavailableError('paypal');
    }
    if (!response.ok) {
      const problem = (await response.json().catch(() => ({}))) as {
        message?: string;
        details?: { issue?: string }[];
      };
      if (response.status === 401) {
        this.token = undefined;
      }
      throw new ProviderRefusedError(
        'paypal',
        problem.details?.[0]?.issue ?? problem.message ?? `HTTP ${response.status}`,
      );
    }

    return response;
  }
}

function stateOf(order: PayPalOrder, captured: bigint, authorization?: string): PaymentState {
  switch (order.status) {
    case 'APPROVED':
      return 'processing';
    case 'VOIDED':
      return 'cancelled';
    case 'COMPLETED':
      if (order.intent === 'CAPTURE') {
        return captured > 0n ? 'succeeded' : 'processing';
      }
      if (authorization === 'CREATED' || authorization === 'PARTIALLY_CAPTURED') {
        return 'requires_capture';
      }
      if (authorization === 'VOIDED' && captured === 0n) {
        return 'cancelled';
      }

      return 'succeeded';
    default:
      return 'requires_action';
  }
}
