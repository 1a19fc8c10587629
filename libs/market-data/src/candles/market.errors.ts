import { DomainError } from '@bourse/platform';

export class UnknownSymbolError extends DomainError {
  readonly code = 'market.unknown_symbol';
  readonly status = 404;

  constructor(readonly symbol: string) {
    super(`Bourse does not quote ${symbol}`);
  }
}

export class NoPriceError extends DomainError {
  readonly code = 'market.no_price';
  readonly status = 404;

  constructor(readonly symbol: string) {
    super(`No price for ${symbol} yet`);
  }
}
