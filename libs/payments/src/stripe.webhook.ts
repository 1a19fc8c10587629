import {
  APP_CONFIG,
  InboxHandler,
  type InboxEvent,
  type InboxEventHandler,
  type Tx,
  type WebhookVerifier,
} from '@bourse/platform';
import { Inject, Injectable } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsNotEmpty, IsObject, IsString, ValidateNested } from 'class-validator';
import type { IncomingHttpHeaders } from 'node:http';
import Stripe from 'stripe';
import type { PaymentsAppConfig } from './payments.config';
import { PaymentsService } from './payments.service';
import { DisputesService } from './disputes.service';
import type { DisputeReport, DisputeStatus, ProviderReport } from './payments.types';
import { reportOfCharge, reportOfIntent, StripeGateway, stripeDecline } from './stripe.gateway';

export const STRIPE_PROVIDER = 'stripe';

/**
 * `Stripe-Signature` checked by the SDK's own `constructEvent`: HMAC-SHA256 of `<t>.<raw body>`
 * under the endpoint secret, and `t` no older than PAYMENTS_WEBHOOK_TOLERANCE_SECONDS (a replay).
 */
@Injectable()
export class StripeSignature implements WebhookVerifier {
  private readonly stripe: Stripe;

  constructor(@Inject(APP_CONFIG) private readonly config: PaymentsAppConfig) {
    this.stripe = new Stripe(config.payments.stripe.secretKey);
  }

  verify(rawBody: Buffer, headers: IncomingHttpHeaders): boolean {
    const signature = headers['stripe-signature'];
    if (typeof signature !== 'string') {
      return false;
    }
    try {
      this.stripe.webhooks.constructEvent(
        rawBody,
        signature,
        this.config.payments.stripe.webhookSecret,
        this.config.payments.webhookToleranceSeconds,
      );

      return true;
    } catch {
      return false;
    }
  }
}

class StripeEventDataDto {
  @IsObject() object!: Record<string, unknown>;
}

/** What we read of a Stripe event; Stripe sends more, kept in the inbox as sent. */
export class StripeEventDto {
  @IsString() @IsNotEmpty() id!: string;
  @IsString() @IsNotEmpty() type!: string;
  @ValidateNested() @Type(() => StripeEventDataDto) data!: StripeEventDataDto;
}

/** A Stripe event as a normalised report; undefined for events that settle nothing. */
export function reportOfStripeEvent(event: InboxEvent): ProviderReport | undefined {
  const object = (event.payload.data as { object: unknown }).object;
  if (event.type === 'payment_intent.payment_failed') {
    const intent = object as Stripe.PaymentIntent;
    const { declineCode, retryable } = stripeDecline(intent.last_payment_error ?? {});

    return {
      ...reportOfIntent(intent),
      state: 'failed',
      attempt: { providerRef: event.eventId, outcome: 'declined', declineCode, retryable },
    };
  }
  if (event.type.startsWith('payment_intent.') && event.type !== 'payment_intent.created') {
    return reportOfIntent(object as Stripe.PaymentIntent);
  }
  if (['charge.succeeded', 'charge.captured', 'charge.refunded'].includes(event.type)) {
    return reportOfCharge(object as Stripe.Charge);
  }

  return undefined;
}

/** Stripe's dispute statuses in ours: anything short of a decision is still open. */
const DISPUTE_OUTCOMES: Record<string, DisputeStatus> = {
  won: 'won',
  warning_closed: 'won',
  lost: 'lost',
};

/** A `charge.dispute.*` event as a normalised report; undefined for other events. */
export function disputeOfStripeEvent(event: InboxEvent): DisputeReport | undefined {
  if (!event.type.startsWith('charge.dispute.')) {
    return undefined;
  }
  const dispute = (event.payload.data as { object: Stripe.Dispute }).object;
  const intent =
    typeof dispute.payment_intent === 'string'
      ? dispute.payment_intent
      : dispute.payment_intent?.id;
  if (!intent) {
    return undefined;
  }
  const dueBy = dispute.evidence_details?.due_by;

  return {
    ref: dispute.id,
    paymentRef: intent,
    amount: BigInt(dispute.amount),
    status: DISPUTE_OUTCOMES[dispute.status] ?? 'open',
    reason: dispute.reason ?? null,
    evidenceDueBy: dueBy ? new Date(dueBy * 1000) : null,
  };
}

/** Applies Stripe's events in the worker, in the transaction that marks them processed. */
@InboxHandler(STRIPE_PROVIDER)
@Injectable()
export class StripeEventHandler implements InboxEventHandler {
  constructor(
    private readonly payments: PaymentsService,
    private readonly disputes: DisputesService,
    private readonly stripe: StripeGateway,
  ) {}

  async handle(event: InboxEvent, tx: Tx): Promise<void> {
    const dispute = disputeOfStripeEvent(event);
    if (dispute) {
      await this.disputes.apply(STRIPE_PROVIDER, dispute, tx);

      return;
    }
    const report = reportOfStripeEvent(event);
    if (!report) {
      return;
    }
    const charge = event.type.startsWith('charge.')
      ? (event.payload.data as { object: Stripe.Charge }).object
      : undefined;
    // A charge's fee is on its balance transactions, which the event only names: read them.
    await this.payments.applyFetched(STRIPE_PROVIDER, report.ref, tx, async () =>
      charge?.balance_transaction
        ? { ...report, fee: await this.stripe.feeOfCharge(charge.id) }
        : report,
    );
  }
}
