import { WebhooksService, NotificationsService } from '@bourse/notifications';
import { OutboxService, SocketEmitter, type OutboxJob, type Tx } from '@bourse/platform';
import { Injectable } from '@nestjs/common';
import { canMove, type OrderState } from './order-states';
import { IllegalTransitionError } from './orders.errors';
import { OrdersRepository, type OrderPatch } from './orders.repository';
import type { Order } from './orders.types';
import { ORDER_EVENT, TOPUP_NAMESPACE, type OrderChangedPayload } from './topup.events';

/** Reseller order states its webhook endpoints hear about, as `topup.<state>` events. */
const RESELLER_EVENTS: readonly OrderState[] = [
  'paid',
  'submitted',
  'delivered',
  'failed',
  'refunded',
  'cancelled',
  'expired',
];

const CONSUMER_MESSAGES: Partial<Record<OrderState, (order: Order) => [string, string]>> = {
  delivered: (order) => ['Top-up delivered', `${order.phone} has been topped up.`],
  refunded: (order) => ['Top-up refunded', `Your top-up of ${order.phone} was refunded.`],
};

export interface MoveOptions {
  reason?: string;
  patch?: OrderPatch;
  /** Work the new state causes, enqueued in the same transaction. */
  jobs?: OutboxJob<object>[];
}

/**
 * The only writer of an order's state. One move is one conditional update on the version, one
 * `topup_order_events` row, the outbox rows of the work it causes, and what the outside hears of
 * it (a reseller's webhook, a consumer's notification), all in the caller's transaction.
 */
@Injectable()
export class OrderTransitions {
  constructor(
    private readonly repository: OrdersRepository,
    private readonly outbox: OutboxService,
    private readonly webhooks: WebhooksService,
    private readonly notifications: NotificationsService,
    private readonly sockets: SocketEmitter,
  ) {}

  /**
   * Moves `order` (as read, at its version) to `to`. Undefined when someone moved it first: the
   * caller re-reads and decides again. An undeclared transition throws.
   */
  async move(
    tx: Tx,
    order: Order,
    to: OrderState,
    options: MoveOptions = {},
  ): Promise<Order | undefined> {
    if (!canMove(order.state, to)) {
      throw new IllegalTransitionError(order.id, order.state, to);
    }
    const moved = await this.repository.transition(tx, order, to, options.patch ?? {});
    if (!moved) {
      return undefined;
    }
    await this.repository.insertEvent(
      tx,
      order.id,
      order.state,
      to,
      moved.version,
      options.reason ?? null,
    );
    for (const job of options.jobs ?? []) {
      await this.outbox.enqueue(tx, job);
    }
    await this.tell(tx, moved);

    return moved;
  }

  /** The first event of a new order. */
  created(tx: Tx, order: Order): Promise<void> {
    return this.repository.insertEvent(tx, order.id, null, order.state, order.version, null);
  }

  /** After the commit: the owner's sockets (at most once; the order over REST is the record). */
  emit(order: Order): void {
    const payload: OrderChangedPayload = {
      id: order.id,
      state: order.state,
      version: order.version,
      failureReason: order.failureReason,
      updatedAt: order.updatedAt.toISOString(),
    };
    this.sockets.namespace(TOPUP_NAMESPACE).toUser(order.userId, ORDER_EVENT, payload);
  }

  private async tell(tx: Tx, order: Order): Promise<void> {
    if (order.resellerId && order.apiKeyId && RESELLER_EVENTS.includes(order.state)) {
      await this.webhooks.publish(
        tx,
        `topup.${order.state}`,
        {
          orderId: order.id,
          state: order.state,
          phone: order.phone,
          productId: order.productId,
          price: order.price.toString(),
          commission: order.commission.toString(),
          asset: order.asset,
          failureReason: order.failureReason,
        },
        `apikey:${order.apiKeyId}`,
      );
    }
    const message = CONSUMER_MESSAGES[order.state];
    if (!order.resellerId && message) {
      const [title, body] = message(order);
      await this.notifications.notify(tx, {
        userId: order.userId,
        type: `topup.${order.state}`,
        title,
        body,
        data: { orderId: order.id },
      });
    }
  }
}
