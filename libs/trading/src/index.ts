export { TRADING_CONFIG, type TradingAppConfig } from './trading.config';
export { TradingModule } from './trading.module';
export { TradingService } from './trading.service';
export { CustodyModule, CustodyWorkerModule } from './custody/custody.module';
export { CustodyService } from './custody/custody.service';
export {
  CustodianClient,
  type CustodyInstruction,
  type CustodyPosition,
  type CustodyStatement,
} from './custody/custodian.client';
export type { Reconciliation } from './custody/custody.repository';
export { ReconciliationDto, ReconciliationListDto } from './custody/custody.dto';
export {
  TRADING_QUEUE,
  TradingJob,
  type CustodyInstructionJob,
  type ReconcileJob,
} from './custody/custody.jobs';
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
  CustodianError,
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
