import { PaymentsService, type PaymentDto } from '@bourse/payments';
import {
  APP_CONFIG,
  AuditLog,
  Database,
  ForbiddenError,
  IdempotencyService,
  newId,
  type AuditContext,
  type IdempotentRequest,
  type IdempotentResponse,
  type Principal,
  type Tx,
} from '@bourse/platform';
import { Inject, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { CatalogueService } from './catalogue.service';
import {
  toProductDto,
  toQuoteDto,
  type CreateTopupOrderDto,
  type CreateTopupQuoteDto,
  type TopupOrderDto,
  type TopupOrderPageDto,
  type ProductsDto,
  type TopupQuoteDto,
} from './dto/topup.dto';
import { OrderMoney } from './order-money';
import { OrderSteps } from './order-steps';
import { OrderTransitions } from './order-transitions';
import type { OrderState } from './order-states';
import { ORDERS_AUDIT } from './orders.audit';
import type { OrdersAppConfig } from './orders.config';
import {
  NotAResellerError,
  OrderNotFoundError,
  PaymentMethodError,
  ProductNotFoundError,
  QuoteExpiredError,
  QuoteNotFoundError,
  QuoteUsedError,
} from './orders.errors';
import { OrdersRepository } from './orders.repository';
import type { Order, OrderEvent, PayWith, Reseller } from './orders.types';
import { priceOf } from './pricing';

/** Roles that read every order; `support` moves no money, so only admins act on them. */
const STAFF_ROLES: readonly string[] = ['admin', 'support'];

/** Who orders: a consumer (a signed-in user) or a reseller (one of its API keys). */
export interface Buyer {
  userId: string;
  reseller?: Reseller;
  apiKeyId?: string;
}

const isStaff = (principal: Principal | undefined): boolean =>
  principal?.kind === 'user' && STAFF_ROLES.includes(principal.role);

export function toOrderDto(
  order: Order,
  events: OrderEvent[] = [],
  payment?: { clientSecret: string | null; approvalUrl: string | null },
): TopupOrderDto {
  return {
    id: order.id,
    state: order.state,
    version: order.version,
    quoteId: order.quoteId,
    resellerId: order.resellerId,
    productId: order.productId,
    phone: order.phone,
    asset: order.asset,
    cost: order.cost.toString(),
    fee: order.fee.toString(),
    commission: order.commission.toString(),
    price: order.price.toString(),
    payWith: order.payWith,
    paymentId: order.paymentId,
    ...(payment ?? {}),
    aggregatorRef: order.aggregatorRef,
    failureReason: order.failureReason,
    paidAt: order.paidAt?.toISOString() ?? null,
    deliveredAt: order.deliveredAt?.toISOString() ?? null,
    createdAt: order.createdAt.toISOString(),
    events: events.map((e) => ({
      from: e.fromState,
      to: e.toState,
      version: e.version,
      reason: e.reason,
      at: e.createdAt.toISOString(),
    })),
  };
}

/** Catalogue reads, quotes and orders as consumers, resellers and staff make and see them. */
@Injectable()
export class OrdersService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: OrdersAppConfig,
    private readonly db: Database,
    private readonly idempotency: IdempotencyService,
    private readonly repository: OrdersRepository,
    private readonly catalogue: CatalogueService,
    private readonly transitions: OrderTransitions,
    private readonly steps: OrderSteps,
    private readonly money: OrderMoney,
    private readonly payments: PaymentsService,
    private readonly audit: AuditLog,
  ) {}

  async products(query: { country?: string; phone?: string }): Promise<ProductsDto> {
    const found = await this.catalogue.productsFor(query);

    return {
      phone: found.phone,
      operatorId: found.operator?.id,
      products: found.products.map(toProductDto),
    };
  }

  /** Prices a product for the number: our fee for consumers, the reseller's pricing for it. */
  async quote(principal: Principal | undefined, body: CreateTopupQuoteDto): Promise<TopupQuoteDto> {
    const buyer = await this.buyerOf(principal);
    const { phone, products } = await this.catalogue.productsFor({ phone: body.phone });
    const product = products.find((p) => p.id === body.productId);
    if (
      !product ||
      product.wholesaleAsset !== (buyer.reseller?.asset ?? this.config.orders.asset)
    ) {
      throw new ProductNotFoundError(body.productId);
    }
    const price = priceOf({
      cost: product.wholesale,
      scale: 2,
      feeBps: buyer.reseller?.feeBps ?? this.config.orders.feeBps,
      commissionBps: buyer.reseller?.commissionBps ?? 0,
      destinationAmount: product.destinationAmount,
    });
    const now = new Date();
    const quote = await this.repository.insertQuote(this.db.manager, {
      id: newId(),
      userId: buyer.userId,
      resellerId: buyer.reseller?.id ?? null,
      productId: product.id,
      phone: phone!,
      asset: product.wholesaleAsset,
      ...price,
      destinationAmount: product.destinationAmount,
      destinationCurrency: product.destinationCurrency,
      createdAt: now,
      expiresAt: new Date(now.getTime() + this.config.orders.quoteTtlSeconds * 1000),
    });

    return toQuoteDto(quote);
  }

  /**
   * Orders a quote, once. Wallet and float orders hold the price in the transaction that creates
   * the order and are `paid` at once; card and PayPal orders authorise through payments (manual
   * capture) and wait, `payment_pending`, for the authorisation.
   */
  async create(
    principal: Principal | undefined,
    body: CreateTopupOrderDto,
    call?: IdempotentRequest,
  ): Promise<TopupOrderDto | IdempotentResponse<TopupOrderDto>> {
    const buyer = await this.buyerOf(principal);
    const payWith = this.payWithOf(buyer, body.payWith);
    let placed: Order | undefined;
    const answer = await this.idempotency.transaction(call, async (tx) => {
      const quote = await this.repository.lockQuote(tx, body.quoteId);
      if (!quote || quote.userId !== buyer.userId) {
        throw new QuoteNotFoundError(body.quoteId);
      }
      if (await this.repository.orderOfQuote(tx, quote.id)) {
        throw new QuoteUsedError(quote.id);
      }
      if (quote.expiresAt <= new Date()) {
        throw new QuoteExpiredError(quote.id, quote.expiresAt);
      }
      const order = await this.repository.insertOrder(tx, {
        id: newId(),
        quoteId: quote.id,
        userId: buyer.userId,
        resellerId: quote.resellerId,
        apiKeyId: buyer.apiKeyId ?? null,
        productId: quote.productId,
        phone: quote.phone,
        asset: quote.asset,
        cost: quote.cost,
        fee: quote.fee,
        commission: quote.commission,
        price: quote.price,
        payWith,
        paymentId: null,
        holdId: null,
        state: 'created',
        callbackSecret: randomBytes(24).toString('base64url'),
      });
      await this.transitions.created(tx, order);
      if (payWith === 'wallet' || payWith === 'float') {
        placed = await this.transitions.move(tx, order, 'paid', {
          reason: `held on the ${payWith}`,
          patch: { holdId: await this.money.hold(order, tx), paidAt: new Date() },
          jobs: [this.steps.submitJob(order.id)],
        });

        return toOrderDto(placed!, await this.repository.events(tx, order.id));
      }
      // The intent is created (and committed) by payments; an order rolled back after it leaves
      // an authorisation nobody completes, which the provider lets lapse.
      // Without an Idempotency-Key payments answers the DTO itself.
      const intent = (await this.payments.create(principal, {
        amount: order.price.toString(),
        asset: order.asset,
        purpose: 'topup_order',
        provider: payWith,
        captureMode: 'manual',
      })) as PaymentDto;
      placed = await this.transitions.move(tx, order, 'payment_pending', {
        reason: `${payWith} authorisation requested`,
        patch: { paymentId: intent.id },
        jobs: [this.steps.awaitPaymentJob(order.id, 0)],
      });

      return toOrderDto(placed!, await this.repository.events(tx, order.id), {
        clientSecret: intent.clientSecret ?? null,
        approvalUrl: intent.approvalUrl ?? null,
      });
    });
    if (placed) {
      this.transitions.emit(placed);
    }

    return answer;
  }

  /** The order with its history, to its owner and staff; anyone else gets the 404 of an unknown id. */
  async get(principal: Principal | undefined, id: string): Promise<TopupOrderDto> {
    const order = await this.repository.find(this.db.manager, id);
    if (!order || !(isStaff(principal) || (await this.owns(principal, order)))) {
      throw new OrderNotFoundError(id);
    }

    return toOrderDto(order, await this.repository.events(this.db.manager, id));
  }

  /** The caller's orders (a reseller's: all of its keys'); staff see every one. */
  async list(
    principal: Principal | undefined,
    query: { state?: OrderState; cursor?: string; limit: number },
  ): Promise<TopupOrderPageDto> {
    const filter: { userId?: string; resellerId?: string; state?: OrderState } = {
      state: query.state,
    };
    if (!isStaff(principal)) {
      const buyer = await this.buyerOf(principal);
      filter.resellerId = buyer.reseller?.id;
      filter.userId = buyer.userId;
    }
    const found = await this.repository.page(this.db.manager, filter, {
      cursor: query.cursor,
      limit: query.limit + 1,
    });
    const shown = found.slice(0, query.limit);

    return {
      orders: shown.map((order) => toOrderDto(order)),
      nextCursor: found.length > query.limit ? shown.at(-1)!.id : undefined,
    };
  }

  /** Runs the order's current step again (a stuck order), audited. */
  async retry(id: string, context: AuditContext): Promise<TopupOrderDto> {
    await this.db.transaction(undefined, async (tx) => {
      const order = await this.found(tx, id);
      await this.steps.enqueueCurrentStep(tx, order, `:retry:${newId()}`);
      await this.audit.record(tx, context, ORDERS_AUDIT.event('topup_order.retry', id));
    });

    return this.get(context.actor, id);
  }

  /** Cancels an order not yet submitted: the hold or authorisation released, audited. */
  async cancel(id: string, context: AuditContext): Promise<TopupOrderDto> {
    const cancelled = await this.db.transaction(undefined, async (tx) => {
      const order = await this.found(tx, id);
      const moved = await this.transitions.move(tx, order, 'cancelled', {
        reason: context.reason ?? 'cancelled by staff',
      });
      if (!moved) {
        throw new OrderNotFoundError(id);
      }
      await this.money.release(order, tx);
      await this.audit.record(tx, context, ORDERS_AUDIT.event('topup_order.cancel', id));

      return moved;
    });
    this.transitions.emit(cancelled);

    return this.get(context.actor, id);
  }

  /** Refunds a delivered order (the operator reversed it): `refunding`, then the worker pays back. */
  async refund(id: string, context: AuditContext): Promise<TopupOrderDto> {
    const refunding = await this.db.transaction(undefined, async (tx) => {
      const order = await this.found(tx, id);
      const moved = await this.transitions.move(tx, order, 'refunding', {
        reason: context.reason ?? 'refunded by staff',
        jobs: [this.steps.refundJob(order.id)],
      });
      if (!moved) {
        throw new OrderNotFoundError(id);
      }
      await this.audit.record(tx, context, ORDERS_AUDIT.event('topup_order.refund', id));

      return moved;
    });
    this.transitions.emit(refunding);

    return this.get(context.actor, id);
  }

  /** A consumer, or the reseller owning the API key; other callers may not buy. */
  async buyerOf(principal: Principal | undefined): Promise<Buyer> {
    if (principal?.kind === 'user') {
      return { userId: principal.userId };
    }
    if (principal?.kind === 'apiKey') {
      const reseller = await this.repository.resellerOfKey(this.db.manager, principal.apiKeyId);
      if (!reseller) {
        throw new NotAResellerError();
      }

      return { userId: reseller.userId, reseller, apiKeyId: principal.apiKeyId };
    }
    throw new ForbiddenError('Sign in, or call with a reseller API key');
  }

  private payWithOf(buyer: Buyer, asked: PayWith | undefined): PayWith {
    if (buyer.reseller) {
      if (asked && asked !== 'float') {
        throw new PaymentMethodError('Resellers pay from their float');
      }

      return 'float';
    }
    if (asked === 'float') {
      throw new PaymentMethodError('Only resellers pay from a float');
    }

    return asked ?? 'wallet';
  }

  private async owns(principal: Principal | undefined, order: Order): Promise<boolean> {
    if (principal?.kind !== 'user' && principal?.kind !== 'apiKey') {
      return false;
    }
    const buyer = await this.buyerOf(principal).catch(() => undefined);

    return buyer !== undefined && buyer.userId === order.userId;
  }

  private async found(tx: Tx, id: string): Promise<Order> {
    const order = await this.repository.find(tx, id);
    if (!order) {
      throw new OrderNotFoundError(id);
    }

    return order;
  }
}
