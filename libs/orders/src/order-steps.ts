import { PaymentsService } from '@bourse/payments';
import { APP_CONFIG, Database, OutboxService, type OutboxJob, type Tx } from '@bourse/platform';
import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  DtOneClient,
  outcomeOf,
  type AggregatorOutcome,
  type DtOneTransaction,
} from './dtone.client';
import { OrderMoney } from './order-money';
import { OrderTransitions, type MoveOptions } from './order-transitions';
import type { OrderState } from './order-states';
import type { OrdersAppConfig } from './orders.config';
import { AggregatorRefusedError, AggregatorUnavailableError } from './orders.errors';
import { TOPUP_QUEUE, TopupJob, type OrderStepJob } from './orders.jobs';
import { OrdersMetrics } from './orders.metrics';
import { OrdersRepository } from './orders.repository';
import type { Order } from './orders.types';

/** DT One's error for an external id it has seen: our order was submitted already. */
const EXTERNAL_ID_USED = 1003001;
/** Payment polls back off from this to the cap. */
const PAYMENT_POLL_FIRST_MS = 250;
const PAYMENT_POLL_MAX_MS = 5000;
/** Bounded retries of a move that lost a race (someone moved the order first). */
const MOVE_TRIES = 5;

/**
 * The worker's steps of an order, each a Bull job enqueued through the outbox by the transition
 * that causes it, each safe to run twice or concurrently:
 * - submit: `paid → submitted` claims the order (one worker wins the conditional update), then
 *   the aggregator transaction is created with the order id as `external_id` (the aggregator
 *   refuses a second one, so a claim re-run after a crash cannot submit twice) and confirmed;
 * - poll: the status read with back-off until the transaction is final, else the order fails;
 * - callback: the aggregator's callback (through the inbox) re-reads the status first;
 * - refund: the hold voided or the authorisation cancelled (or a delivery reversed).
 */
@Injectable()
export class OrderSteps {
  private readonly logger = new Logger('TopupOrders');

  constructor(
    @Inject(APP_CONFIG) private readonly config: OrdersAppConfig,
    private readonly db: Database,
    private readonly repository: OrdersRepository,
    private readonly transitions: OrderTransitions,
    private readonly money: OrderMoney,
    private readonly dtone: DtOneClient,
    private readonly payments: PaymentsService,
    private readonly outbox: OutboxService,
    private readonly metrics: OrdersMetrics,
  ) {}

  submitJob(orderId: string, suffix = ''): OutboxJob<OrderStepJob> {
    return {
      queue: TOPUP_QUEUE,
      name: TopupJob.Submit,
      jobId: `topup-submit:${orderId}${suffix}`,
      payload: { orderId },
    };
  }

  pollJob(orderId: string, attempt: number, suffix = ''): OutboxJob<OrderStepJob> {
    const delays = this.config.orders.pollDelaysMs;

    return {
      queue: TOPUP_QUEUE,
      name: TopupJob.Poll,
      jobId: `topup-poll:${orderId}:${attempt}${suffix}`,
      payload: { orderId, attempt },
      delayMs: suffix ? 0 : delays[Math.min(attempt - 1, delays.length - 1)],
    };
  }

  refundJob(orderId: string, suffix = ''): OutboxJob<OrderStepJob> {
    return {
      queue: TOPUP_QUEUE,
      name: TopupJob.Refund,
      jobId: `topup-refund:${orderId}${suffix}`,
      payload: { orderId },
    };
  }

  awaitPaymentJob(orderId: string, attempt: number, suffix = ''): OutboxJob<OrderStepJob> {
    return {
      queue: TOPUP_QUEUE,
      name: TopupJob.AwaitPayment,
      jobId: `topup-await-payment:${orderId}:${attempt}${suffix}`,
      payload: { orderId, attempt },
      delayMs: Math.min(PAYMENT_POLL_FIRST_MS * 2 ** attempt, PAYMENT_POLL_MAX_MS),
    };
  }

  /** The job that moves `order` on from its state (the sweeper's and an admin's retry). */
  async enqueueCurrentStep(tx: Tx, order: Order, suffix: string): Promise<void> {
    const job = this.currentStep(order, suffix);
    if (job) {
      await this.outbox.enqueue(tx, job);
    }
  }

  private currentStep(order: Order, suffix: string): OutboxJob<OrderStepJob> | undefined {
    switch (order.state) {
      case 'created':
      case 'payment_pending':
        return this.awaitPaymentJob(order.id, 0, suffix);
      case 'paid':
        return this.submitJob(order.id, suffix);
      case 'submitted':
        return this.pollJob(order.id, order.attempts + 1, suffix);
      case 'refunding':
        return this.refundJob(order.id, suffix);
      case 'failed':
      case 'delivered':
      case 'refunded':
      case 'cancelled':
      case 'expired':
        return undefined;
    }
  }

  /** Card and PayPal: paid once authorised; cancelled when declined; expired when never authorised. */
  async awaitPayment({ orderId, attempt = 0 }: OrderStepJob): Promise<void> {
    const order = await this.repository.find(this.db.manager, orderId);
    if (!order || (order.state !== 'payment_pending' && order.state !== 'created')) {
      return;
    }
    const payment = order.paymentId
      ? await this.payments.get(
          { kind: 'user', userId: order.userId, role: 'user', sessionId: 'topup-worker' },
          order.paymentId,
        )
      : undefined;
    const overdue =
      Date.now() - order.createdAt.getTime() > this.config.orders.paymentTimeoutSeconds * 1000;
    if (payment?.state === 'requires_capture') {
      await this.moveFresh(orderId, ['payment_pending'], 'paid', () => ({
        reason: 'payment authorised',
        patch: { paidAt: new Date() },
        jobs: [this.submitJob(orderId)],
      }));
    } else if (payment && ['failed', 'cancelled'].includes(payment.state)) {
      await this.moveFresh(orderId, ['payment_pending'], 'cancelled', () => ({
        reason: `payment ${payment.state}`,
        patch: { failureReason: `payment_${payment.state}` },
      }));
    } else if (overdue || !payment) {
      await this.moveFresh(
        orderId,
        ['payment_pending', 'created'],
        order.paymentId ? 'expired' : 'cancelled',
        () => ({ reason: 'payment never authorised', patch: { failureReason: 'payment_timeout' } }),
        (expired, _before, tx) => this.money.release(expired, tx),
      );
    } else {
      await this.db.transaction(undefined, (tx) =>
        this.outbox.enqueue(tx, this.awaitPaymentJob(orderId, attempt + 1)),
      );
    }
  }

  /**
   * Claims a paid order and submits it. An order another run claimed is left to it and to the
   * polls its claim enqueued (which look the transaction up before creating one).
   */
  async submit({ orderId }: OrderStepJob): Promise<void> {
    const { order, moved } = await this.moveFresh(orderId, ['paid'], 'submitted', () => ({
      reason: 'submitting to the aggregator',
      jobs: [this.pollJob(orderId, 1)],
    }));
    if (moved) {
      await this.send(order!, false);
    }
  }

  /** A status poll; without news it schedules the next, after the last one the order fails. */
  async poll({ orderId, attempt = 1 }: OrderStepJob): Promise<void> {
    const order = await this.repository.find(this.db.manager, orderId);
    if (order?.state !== 'submitted') {
      return;
    }
    let outcome: AggregatorOutcome = 'pending';
    try {
      if (!order.aggregatorRef) {
        await this.send(order, true);
      } else {
        outcome = outcomeOf(await this.dtone.getTransaction(order.aggregatorRef));
      }
    } catch (error) {
      if (!(error instanceof AggregatorUnavailableError)) {
        throw error;
      }
      this.logger.warn({
        msg: 'top-up status poll found the aggregator away',
        orderId,
        err: error,
      });
    }
    if (outcome !== 'pending') {
      return this.settle(orderId, outcome, `poll ${attempt}`);
    }
    if (attempt >= this.config.orders.pollDelaysMs.length) {
      return this.settle(
        orderId,
        'declined',
        'no confirmation from the aggregator',
        'aggregator_timeout',
      );
    }
    await this.db.transaction(undefined, async (tx) => {
      await this.repository.recordPoll(tx, orderId, attempt);
      await this.outbox.enqueue(tx, this.pollJob(orderId, attempt + 1));
    });
  }

  /**
   * The aggregator's callback for the order (its secret checked by the api, handed over by the
   * inbox). Callbacks are unsigned: the status is read back from the aggregator before anything
   * moves. A re-run finds the order settled and does nothing.
   */
  async applyCallback(orderId: string, transactionId: string): Promise<void> {
    const order = await this.repository.find(this.db.manager, orderId);
    if (order?.state !== 'submitted') {
      return;
    }
    const transaction = await this.dtone.getTransaction(transactionId);
    if (transaction.external_id !== orderId) {
      this.logger.warn({ msg: 'aggregator callback names another order', orderId, transactionId });

      return;
    }
    if (!order.aggregatorRef) {
      await this.repository.setAggregatorRef(this.db.manager, orderId, String(transaction.id));
    }
    const outcome = outcomeOf(transaction);
    if (outcome !== 'pending') {
      await this.settle(orderId, outcome, 'aggregator callback');
    }
  }

  /** Pays back a failed or reversed order and closes it. */
  async refund({ orderId }: OrderStepJob): Promise<void> {
    await this.moveFresh(
      orderId,
      ['refunding'],
      'refunded',
      () => ({ reason: 'paid back' }),
      (order, _before, tx) =>
        order.deliveredAt ? this.money.reverseDelivery(order, tx) : this.money.release(order, tx),
    );
  }

  /** Enqueues again the step of every order stuck in an unfinished state; answers how many. */
  async sweep(bucket: string): Promise<number> {
    return this.db.transaction(undefined, async (tx) => {
      const stuck = await this.repository.stuck(tx, this.config.orders.stuckAfterSeconds, 500);
      for (const order of stuck) {
        await this.enqueueCurrentStep(tx, order, `:sweep:${bucket}`);
      }
      if (stuck.length > 0) {
        this.logger.warn({
          msg: 'stuck top-up orders re-enqueued',
          orders: stuck.map((o) => o.id),
        });
      }

      return stuck.length;
    });
  }

  /**
   * Creates (unless `lookFirst` finds it) and confirms the order's aggregator transaction, then
   * settles the order when the answer is final already. An outage leaves it to the polls.
   */
  private async send(order: Order, lookFirst: boolean): Promise<void> {
    let transaction: DtOneTransaction | undefined;
    try {
      transaction = lookFirst ? await this.dtone.findByExternalId(order.id) : undefined;
      if (!transaction) {
        transaction = await this.create(order);
      }
      await this.db.transaction(undefined, (tx) =>
        this.repository.setAggregatorRef(tx, order.id, String(transaction!.id)),
      );
      if (transaction.status.class.id === 1) {
        transaction = await this.dtone.confirmTransaction(String(transaction.id));
      }
    } catch (error) {
      if (error instanceof AggregatorRefusedError) {
        return this.settle(
          order.id,
          'declined',
          error.message,
          `aggregator_refused_${error.aggregatorCode ?? error.httpStatus}`,
        );
      }
      if (error instanceof AggregatorUnavailableError) {
        this.logger.warn({
          msg: 'top-up submit found the aggregator away',
          orderId: order.id,
          err: error,
        });

        return;
      }
      throw error;
    }
    const outcome = outcomeOf(transaction);
    if (outcome !== 'pending') {
      await this.settle(order.id, outcome, 'aggregator answered');
    }
  }

  private async create(order: Order): Promise<DtOneTransaction> {
    const callbackUrl = new URL(`${this.config.orders.callbackBaseUrl}/v1/webhooks/aggregator`);
    callbackUrl.searchParams.set('order', order.id);
    callbackUrl.searchParams.set('secret', order.callbackSecret);
    try {
      return await this.dtone.createTransaction({
        externalId: order.id,
        productId: order.productId,
        mobileNumber: order.phone,
        callbackUrl: callbackUrl.toString(),
      });
    } catch (error) {
      // Submitted before (a crashed or concurrent run): that one is ours, never a second.
      if (error instanceof AggregatorRefusedError && error.aggregatorCode === EXTERNAL_ID_USED) {
        const existing = await this.dtone.findByExternalId(order.id);
        if (existing) {
          return existing;
        }
      }
      throw error;
    }
  }

  /** A final outcome: delivered with the money posted, or failed and on its way to a refund. */
  private async settle(
    orderId: string,
    outcome: Exclude<AggregatorOutcome, 'pending'>,
    why: string,
    failureReason = 'aggregator_declined',
  ): Promise<void> {
    if (outcome === 'completed') {
      const { order, moved } = await this.moveFresh(
        orderId,
        ['submitted'],
        'delivered',
        () => ({ reason: why, patch: { deliveredAt: new Date() } }),
        (delivered, _before, tx) => this.money.settleDelivery(delivered, tx),
      );
      if (moved && order?.paidAt && order.deliveredAt) {
        this.metrics.delivered(order.deliveredAt.getTime() - order.paidAt.getTime());
      }

      return;
    }
    const { moved } = await this.moveFresh(
      orderId,
      ['submitted'],
      'failed',
      () => ({ reason: why, patch: { failureReason } }),
      (failed, _before, tx) =>
        this.transitions.move(tx, failed, 'refunding', {
          reason: 'refunding the failed top-up',
          jobs: [this.refundJob(orderId)],
        }),
    );
    if (moved) {
      this.metrics.failed(failureReason);
    }
  }

  /**
   * Reads the order, and when it is in one of `from`, moves it to `to` with `effect` (the money)
   * in the same transaction; a lost race re-reads and tries again. `moved`: this call moved it.
   */
  private async moveFresh(
    orderId: string,
    from: OrderState[],
    to: OrderState,
    options: (order: Order) => MoveOptions,
    effect?: (moved: Order, before: Order, tx: Tx) => Promise<unknown>,
  ): Promise<{ order?: Order; moved: boolean }> {
    for (let attempt = 0; attempt < MOVE_TRIES; attempt += 1) {
      const result = await this.db.transaction(undefined, async (tx) => {
        const order = await this.repository.find(tx, orderId);
        if (!order || !from.includes(order.state)) {
          return { order, moved: false, done: true };
        }
        const moved = await this.transitions.move(tx, order, to, options(order));
        if (moved && effect) {
          await effect(moved, order, tx);
        }

        return { order: moved, moved: moved !== undefined, done: moved !== undefined };
      });
      if (result.done) {
        if (result.moved) {
          this.transitions.emit(result.order!);
        }

        return { order: result.order, moved: result.moved };
      }
    }
    throw new Error(`Top-up order ${orderId} kept changing under a move to ${to}`);
  }
}
