import { DomainError } from '@bourse/platform';
import type { OrderState } from './order-states';

/** No such order, or the caller may not see it: the same answer, so ids cannot be probed. */
export class OrderNotFoundError extends DomainError {
  readonly code = 'orders.order_not_found';
  readonly status = 404;
  constructor(orderId: string) {
    super(`Top-up order ${orderId} does not exist`);
    this.extensions.orderId = orderId;
  }
}

/** A transition the state machine does not declare (order-states.ts). */
export class IllegalTransitionError extends DomainError {
  readonly code = 'orders.illegal_transition';
  readonly status = 409;
  constructor(orderId: string, from: OrderState, to: OrderState) {
    super(`Top-up order ${orderId} cannot move from ${from} to ${to}`);
    this.extensions.orderId = orderId;
    this.extensions.state = from;
    this.extensions.to = to;
  }
}

export class InvalidPhoneError extends DomainError {
  readonly code = 'orders.invalid_phone';
  readonly status = 422;
  constructor(phone: string, why: string) {
    super(`${phone} is not a valid mobile number: ${why}`);
    this.extensions.field = 'phone';
  }
}

/** The phone's operator is unknown to the aggregator, or in another country than asked. */
export class OperatorNotFoundError extends DomainError {
  readonly code = 'orders.operator_not_found';
  readonly status = 422;
  constructor(message: string, field: 'phone' | 'country') {
    super(message);
    this.extensions.field = field;
  }
}

export class ProductNotFoundError extends DomainError {
  readonly code = 'orders.product_not_found';
  readonly status = 422;
  constructor(productId: string) {
    super(`Product ${productId} is not in the catalogue for this number`);
    this.extensions.field = 'productId';
  }
}

export class QuoteNotFoundError extends DomainError {
  readonly code = 'orders.quote_not_found';
  readonly status = 404;
  constructor(quoteId: string) {
    super(`Top-up quote ${quoteId} does not exist`);
    this.extensions.field = 'quoteId';
  }
}

export class QuoteExpiredError extends DomainError {
  readonly code = 'orders.quote_expired';
  readonly status = 409;
  constructor(quoteId: string, expiresAt: Date) {
    super(`Top-up quote ${quoteId} expired at ${expiresAt.toISOString()}; ask for a new one`);
    this.extensions.field = 'quoteId';
    this.extensions.expiresAt = expiresAt.toISOString();
  }
}

export class QuoteUsedError extends DomainError {
  readonly code = 'orders.quote_used';
  readonly status = 409;
  constructor(quoteId: string) {
    super(`Top-up quote ${quoteId} was already ordered`);
    this.extensions.field = 'quoteId';
  }
}

/** A payment method the caller cannot use: resellers pay from their float, consumers never do. */
export class PaymentMethodError extends DomainError {
  readonly code = 'orders.invalid_payment_method';
  readonly status = 422;
  constructor(message: string) {
    super(message);
    this.extensions.field = 'payWith';
  }
}

/** The reseller's float does not cover the order's price; nothing was written. */
export class FloatShortError extends DomainError {
  readonly code = 'orders.float_insufficient';
  readonly status = 422;
  constructor(resellerId: string, available: bigint, price: bigint) {
    super(`The float holds ${available}; this top-up costs ${price}. Top the float up first.`);
    this.extensions.resellerId = resellerId;
    this.extensions.available = available.toString();
    this.extensions.price = price.toString();
  }
}

export class WalletShortError extends DomainError {
  readonly code = 'orders.wallet_insufficient';
  readonly status = 422;
  constructor(available: bigint, price: bigint) {
    super(`The wallet holds ${available}; this top-up costs ${price}`);
    this.extensions.field = 'payWith';
    this.extensions.available = available.toString();
    this.extensions.price = price.toString();
  }
}

export class ResellerNotFoundError extends DomainError {
  readonly code = 'orders.reseller_not_found';
  readonly status = 404;
  constructor(resellerId: string) {
    super(`Reseller ${resellerId} does not exist`);
    this.extensions.resellerId = resellerId;
  }
}

/** An API key with the `topup` scope that no reseller owns. */
export class NotAResellerError extends DomainError {
  readonly code = 'orders.not_a_reseller';
  readonly status = 403;
  constructor() {
    super('This API key belongs to no reseller');
  }
}

/** The aggregator did not answer (timeout, 5xx, outage): the outcome of the call is unknown. */
export class AggregatorUnavailableError extends DomainError {
  readonly code = 'orders.aggregator_unavailable';
  readonly status = 503;
  constructor(what: string) {
    super(`The top-up aggregator did not answer: ${what}`);
  }
}

/** The aggregator refused the call (4xx): its error code kept for the failure reason. */
export class AggregatorRefusedError extends DomainError {
  readonly code = 'orders.aggregator_refused';
  readonly status = 502;
  constructor(
    readonly httpStatus: number,
    readonly aggregatorCode: number | undefined,
    message: string,
  ) {
    super(`The top-up aggregator refused: ${message}`);
    this.extensions.aggregatorCode = aggregatorCode;
  }
}
