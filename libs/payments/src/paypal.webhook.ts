import {
  APP_CONFIG,
  InboxHandler,
  type InboxEvent,
  type InboxEventHandler,
  type Tx,
  type WebhookVerifier,
} from '@bourse/platform';
import { Inject, Injectable } from '@nestjs/common';
import { IsNotEmpty, IsObject, IsString } from 'class-validator';
import type { IncomingHttpHeaders } from 'node:http';
import { validate as isUuid } from 'uuid';
import type { PaymentsAppConfig } from './payments.config';
import { PaymentsService } from './payments.service';
import { DisputesService } from './disputes.service';
import type { DisputeStatus } from './payments.types';
import { PayoutsService } from './payouts.service';
import { PayPalGateway, reportOfPayoutItem, type PayPalPayoutItem } from './paypal.gateway';

export const PAYPAL_PROVIDER = 'paypal';

const SIGNATURE_HEADERS = [
  'paypal-auth-algo',
  'paypal-cert-url',
  'paypal-transmission-id',
  'paypal-transmission-sig',
  'paypal-transmission-time',
] as const;

/**
 * PayPal's delivery checked the way PayPal documents: its transmission headers and the event sent
 * to `verify-webhook-signature` for our webhook id. A transmission older than
 * PAYMENTS_WEBHOOK_TOLERANCE_SECONDS is refused before asking (a replay).
 */
@Injectable()
export class PayPalSignature implements WebhookVerifier {
  constructor(
    @Inject(APP_CONFIG) private readonly config: PaymentsAppConfig,
    private readonly paypal: PayPalGateway,
  ) {}

  async verify(rawBody: Buffer, headers: IncomingHttpHeaders): Promise<boolean> {
    const sent: Record<string, string> = {};
    for (const name of SIGNATURE_HEADERS) {
      const value = headers[name];
      if (typeof value !== 'string') {
        return false;
      }
      sent[name] = value;
    }
    const age = Date.now() - Date.parse(sent['paypal-transmission-time']!);
    if (!(Math.abs(age) <= this.config.payments.webhookToleranceSeconds * 1000)) {
      return false;
    }
    try {
      return await this.paypal.verifyWebhook(sent, JSON.parse(rawBody.toString('utf8')));
    } catch {
      return false;
    }
  }
}

/** What we read of a PayPal event; PayPal sends more, kept in the inbox as sent. */
export class PayPalEventDto {
  @IsString() @IsNotEmpty() id!: string;
  @IsString() @IsNotEmpty() event_type!: string;
  @IsString() resource_type!: string;
  @IsObject() resource!: Record<string, unknown>;
}

/** The order an event is about: the order itself, or the order a capture or refund belongs to. */
export function orderOfPayPalEvent(event: InboxEvent): string | undefined {
  const resource = event.payload.resource as {
    id?: string;
    supplementary_data?: { related_ids?: { order_id?: string } };
  };

  return event.payload.resource_type === 'checkout-order'
    ? resource.id
    : resource.supplementary_data?.related_ids?.order_id;
}

/** What we read of a Customer Disputes resource. */
interface PayPalDisputeResource {
  dispute_id: string;
  disputed_transactions?: { seller_transaction_id?: string }[];
  reason?: string;
  status: string;
  dispute_amount: { currency_code: string; value: string };
  seller_response_due_date?: string;
  dispute_outcome?: { outcome_code?: string };
}

/** A resolved dispute's outcome in ours: only a decision for the buyer costs us the money. */
function disputeStatusOf(resource: PayPalDisputeResource): DisputeStatus {
  if (resource.status !== 'RESOLVED') {
    return 'open';
  }

  return resource.dispute_outcome?.outcome_code === 'RESOLVED_BUYER_FAVOUR' ? 'lost' : 'won';
}

/**
 * Applies PayPal's events in the worker. An event only says that an order changed, so the
 * handler reads the whole order (cumulative captures and refunds) while the payment is locked,
 * and completes an approved one: captures it, or authorizes it for a manual capture.
 */
@InboxHandler(PAYPAL_PROVIDER)
@Injectable()
export class PayPalEventHandler implements InboxEventHandler {
  constructor(
    private readonly payments: PaymentsService,
    private readonly disputes: DisputesService,
    private readonly payouts: PayoutsService,
    private readonly paypal: PayPalGateway,
  ) {}

  async handle(event: InboxEvent, tx: Tx): Promise<void> {
    if (event.type.startsWith('PAYMENT.PAYOUTS-ITEM.')) {
      const item = event.payload.resource as unknown as PayPalPayoutItem;
      const payoutId = item.payout_item?.sender_item_id;
      if (payoutId && isUuid(payoutId)) {
        // The event may be old: the item's current status is what counts.
        await this.payouts.applyItem(payoutId, item.payout_batch_id, tx, async () =>
          reportOfPayoutItem(await this.paypal.payoutItem(item.payout_item_id)),
        );
      }

      return;
    }
    if (event.type.startsWith('CUSTOMER.DISPUTE.')) {
      await this.applyDispute(event.payload.resource as unknown as PayPalDisputeResource, tx);

      return;
    }
    const orderId = orderOfPayPalEvent(event);
    if (!orderId) {
      return;
    }
    await this.payments.applyFetched(PAYPAL_PROVIDER, orderId, tx, async (payment) => {
      const order = await this.paypal.order(orderId);

      return this.paypal.reportOf(
        order.status === 'APPROVED'
          ? await this.paypal.complete(orderId, payment.captureMode)
          : order,
      );
    });
  }

  /** A dispute names the disputed capture: its order is the payment's provider ref. */
  private async applyDispute(resource: PayPalDisputeResource, tx: Tx): Promise<void> {
    const capture = resource.disputed_transactions?.[0]?.seller_transaction_id;
    const orderId = capture && (await this.paypal.orderOfCapture(capture));
    if (!orderId) {
      return;
    }
    await this.disputes.apply(
      PAYPAL_PROVIDER,
      {
        ref: resource.dispute_id,
        paymentRef: orderId,
        amount: await this.paypal.minor(resource.dispute_amount),
        status: disputeStatusOf(resource),
        reason: resource.reason ?? null,
        evidenceDueBy: resource.seller_response_due_date
          ? new Date(resource.seller_response_due_date)
          : null,
      },
      tx,
    );
  }
}
