import { DomainError } from '@bourse/platform';

/** No such quote, or it is another user's: the same answer, so ids cannot be probed. */
export class QuoteNotFoundError extends DomainError {
  readonly code = 'trading.quote_not_found';
  readonly status = 404;
  constructor(quoteId: string) {
    super(`Quote ${quoteId} does not exist`);
    this.extensions.quoteId = quoteId;
  }
}

export class QuoteExpiredError extends DomainError {
  readonly code = 'trading.quote_expired';
  readonly status = 409;
  constructor(quoteId: string, expiresAt: Date) {
    super(`Quote ${quoteId} expired at ${expiresAt.toISOString()}; ask for a new one`);
    this.extensions.quoteId = quoteId;
    this.extensions.expiresAt = expiresAt.toISOString();
  }
}

/** A quote executes once; a retry of the same order goes through its Idempotency-Key. */
export class QuoteUsedError extends DomainError {
  readonly code = 'trading.quote_used';
  readonly status = 409;
  constructor(quoteId: string, orderId: string) {
    super(`Quote ${quoteId} was already executed by order ${orderId}`);
    this.extensions.quoteId = quoteId;
    this.extensions.orderId = orderId;
  }
}

/** No tick of the metal within TRADING_PRICE_MAX_AGE_MS: nothing safe to quote on. */
export class PriceStaleError extends DomainError {
  readonly code = 'trading.price_stale';
  readonly status = 503;
  constructor(symbol: string, ageMs?: number) {
    super(
      ageMs === undefined
        ? `No live price of ${symbol}`
        : `The last price of ${symbol} is ${ageMs} ms old`,
    );
    this.extensions.symbol = symbol;
    if (ageMs !== undefined) {
      this.extensions.ageMs = ageMs;
    }
  }
}

/** Exactly one of `amount` and `weight`. */
export class InvalidQuoteRequestError extends DomainError {
  readonly code = 'trading.invalid_quote_request';
  readonly status = 422;
  constructor(message: string, field: 'amount' | 'weight') {
    super(message);
    this.extensions.field = field;
  }
}

/** The request rounds to no metal or no cash at this price. */
export class AmountTooSmallError extends DomainError {
  readonly code = 'trading.amount_too_small';
  readonly status = 422;
  constructor(field: 'amount' | 'weight') {
    super(`The ${field} is too small to trade at the current price`);
    this.extensions.field = field;
  }
}

export class InvalidOrderCursorError extends DomainError {
  readonly code = 'trading.invalid_cursor';
  readonly status = 400;
  constructor() {
    super('The cursor is not one this API returned');
    this.extensions.field = 'cursor';
  }
}

/** The custodian's API could not be reached or refused a call; the job retries. */
export class CustodianError extends DomainError {
  readonly code = 'trading.custodian_unavailable';
  readonly status = 503;
  constructor(detail: string) {
    super(`Custodian: ${detail}`);
  }
}
