import { APP_CONFIG } from '@bourse/platform';
import { Inject, Injectable } from '@nestjs/common';
import Stripe from 'stripe';
import {
  PaymentDeclinedError,
  ProviderRefusedError,
  ProviderUnavailableError,
} from './payments.errors';
import type { PaymentGateway } from './payment-gateway';
import type { PaymentsAppConfig } from './payments.config';
import {
  RETRYABLE_DECLINES,
  type CaptureMode,
  type DeclineCode,
  type PaymentState,
  type ProviderReport,
  type SettlementLine,
} from './payments.types';

/** Stripe's PaymentIntent statuses in ours. */
const STATES: Record<string, PaymentState> = {
  requires_payment_method: 'requires_action',
  requires_confirmation: 'requires_action',
  requires_action: 'requires_action',
  processing: 'processing',
  requires_capture: 'requires_capture',
  succeeded: 'succeeded',
  canceled: 'cancelled',
};

/** Stripe's `decline_code` (or `code` when it has none) in our small set. */
const DECLINES: Record<string, DeclineCode> = {
  insufficient_funds: 'insufficient_funds',
  fraudulent: 'fraud_suspected',
  stolen_card: 'fraud_suspected',
  lost_card: 'fraud_suspected',
  expired_card: 'expired_card',
  authentication_required: 'authentication_required',
  processing_error: 'processing_error',
  try_again_later: 'processing_error',
};

export function stripeDecline(error: { code?: string | null; decline_code?: string | null }): {
  declineCode: DeclineCode;
  retryable: boolean;
} {
  const declineCode =
    DECLINES[error.decline_code ?? ''] ?? DECLINES[error.code ?? ''] ?? 'card_declined';

  return { declineCode, retryable: RETRYABLE_DECLINES.includes(declineCode) };
}

/** What a PaymentIntent says, normalised: its status, what was received, its latest attempt. */
export function reportOfIntent(intent: Stripe.PaymentIntent): ProviderReport {
  const charge =
    typeof intent.latest_charge === 'string' ? intent.latest_charge : intent.latest_charge?.id;
  const report: ProviderReport = {
    ref: intent.id,
    state: STATES[intent.status],
    captured: BigInt(intent.amount_received),
  };
  if (charge) {
    report.attempt = {
      providerRef: charge,
      outcome: intent.amount_received > 0 ? 'captured' : 'authorized',
    };
  }

  return report;
}

/** What a charge says: the captured and refunded totals (no state: its intent reports that). */
export function reportOfCharge(charge: Stripe.Charge): ProviderReport | undefined {
  const intent =
    typeof charge.payment_intent === 'string' ? charge.payment_intent : charge.payment_intent?.id;

  if (!intent) {
    return undefined;
  }

  return {
    ref: intent,
    captured: BigInt(charge.amount_captured),
    refunded: BigInt(charge.amount_refunded),
  };
}

/**
 * Stripe through its official SDK, PaymentIntents with automatic or manual capture and refunds,
 * at PAYMENTS_STRIPE_API_URL (Stripe itself, or the simulator). Every write carries an
 * idempotency key derived from our ids, so the SDK's retries and ours never pay twice.
 */
@Injectable()
export class StripeGateway implements PaymentGateway {
  private readonly stripe: Stripe;

  constructor(@Inject(APP_CONFIG) config: PaymentsAppConfig) {
    const api = new URL(config.payments.stripe.apiUrl);
    this.stripe = new Stripe(config.payments.stripe.secretKey, {
      host: api.hostname,
      port: api.port || (api.protocol === 'https:' ? 443 : 80),
      protocol: api.protocol === 'https:' ? 'https' : 'http',
      maxNetworkRetries: 2,
      timeout: 20_000,
      telemetry: false,
    });
  }

  async createIntent(input: {
    paymentId: string;
    amount: bigint;
    asset: string;
    captureMode: CaptureMode;
  }): Promise<{ ref: string; clientSecret: string | null; approvalUrl: null }> {
    const intent = await this.call(() =>
      this.stripe.paymentIntents.create(
        {
          amount: Number(input.amount),
          currency: input.asset.toLowerCase(),
          capture_method: input.captureMode,
          metadata: { payment_id: input.paymentId },
        },
        { idempotencyKey: `payment:${input.paymentId}` },
      ),
    );

    return { ref: intent.id, clientSecret: intent.client_secret, approvalUrl: null };
  }

  /** Captures `amount`; not `final`, the rest stays authorised for later captures. */
  async capture(ref: string, amount: bigint, final: boolean, key: string): Promise<ProviderReport> {
    return reportOfIntent(
      await this.call(() =>
        this.stripe.paymentIntents.capture(
          ref,
          { amount_to_capture: Number(amount), final_capture: final },
          { idempotencyKey: key },
        ),
      ),
    );
  }

  async cancel(ref: string): Promise<ProviderReport> {
    return reportOfIntent(await this.call(() => this.stripe.paymentIntents.cancel(ref)));
  }

  async refund(ref: string, amount: bigint, key: string): Promise<void> {
    await this.call(() =>
      this.stripe.refunds.create(
        { payment_intent: ref, amount: Number(amount) },
        { idempotencyKey: key },
      ),
    );
  }

  /** Stripe's fee on a charge so far: the sum over the balance transactions it caused. */
  async feeOfCharge(charge: string): Promise<bigint> {
    let fee = 0n;
    for await (const transaction of this.stripe.balanceTransactions.list({
      source: charge,
      limit: 100,
    })) {
      fee += BigInt(transaction.fee);
    }

    return fee;
  }

  /**
   * Stripe's settlement report for [from, to): the balance transactions with their sources
   * expanded, as capture (with its fee) and refund lines naming the PaymentIntent. Disputes and
   * payouts to our bank are not lines here (their own ledgers track them).
   */
  async settlementLines(from: Date, to: Date): Promise<SettlementLine[]> {
    const lines: SettlementLine[] = [];
    const list = this.stripe.balanceTransactions.list({
      created: { gte: Math.floor(from.getTime() / 1000), lt: Math.ceil(to.getTime() / 1000) },
      limit: 100,
      expand: ['data.source'],
    });
    for await (const transaction of list) {
      const source = transaction.source as { payment_intent?: string | { id: string } } | null;
      const intent =
        typeof source?.payment_intent === 'string'
          ? source.payment_intent
          : source?.payment_intent?.id;
      const asset = transaction.currency.toUpperCase();
      if (!intent) {
        continue;
      }
      if (transaction.reporting_category === 'charge') {
        lines.push({
          ref: transaction.id,
          kind: 'capture',
          paymentRef: intent,
          asset,
          amount: BigInt(transaction.amount),
        });
        if (transaction.fee > 0) {
          lines.push({
            ref: transaction.id,
            kind: 'fee',
            paymentRef: intent,
            asset,
            amount: BigInt(transaction.fee),
          });
        }
      } else if (transaction.reporting_category === 'refund') {
        lines.push({
          ref: transaction.id,
          kind: 'refund',
          paymentRef: intent,
          asset,
          amount: BigInt(-transaction.amount),
        });
      }
    }

    return lines;
  }

  /** Stripe's errors as ours: a decline normalised, a refusal, or the provider unreachable. */
  private async call<T>(request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      if (error instanceof Stripe.errors.StripeCardError) {
        const { declineCode, retryable } = stripeDecline(error);
        throw new PaymentDeclinedError(declineCode, retryable);
      }
      if (error instanceof Stripe.errors.StripeInvalidRequestError) {
        throw new ProviderRefusedError('stripe', error.message);
      }
      if (error instanceof Stripe.errors.StripeError) {
        throw new ProviderUnavailableError('stripe');
      }
      throw error;
    }
  }
}
