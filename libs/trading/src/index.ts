export { TRADING_CONFIG, type TradingAppConfig } from './trading.config';
export { TradingModule } from './trading.module';
export { TradingService } from './trading.service';
export {
  CASH_ASSET,
  METALS,
  SIDES,
  type Metal,
  type Order,
  type Position,
  type Quote,
  type Side,
} from './trading.types';
export {
  buyAmounts,
  cashFor,
  divide,
  feeOn,
  formatPrice,
  parsePrice,
  sellAmounts,
  spreadPrices,
  weightFor,
  type Amounts,
  type Rounding,
  type Scales,
} from './pricing';
export {
  AmountTooSmallError,
  InvalidOrderCursorError,
  InvalidQuoteRequestError,
  PriceStaleError,
  QuoteExpiredError,
  QuoteNotFoundError,
  QuoteUsedError,
} from './trading.errors';
export {
  CreateOrderDto,
  CreateQuoteDto,
  HoldingDto,
  OrderDto,
  OrderPageDto,
  QuoteDto,
} from './dto/trading.dto';
