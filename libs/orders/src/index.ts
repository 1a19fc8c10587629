export { ORDERS_AUDIT } from './orders.audit';
export { ORDERS_CONFIG, type OrdersAppConfig } from './orders.config';
export { OrdersApiModule, OrdersModule, OrdersWorkerModule } from './orders.module';
export { OrdersService, toOrderDto, type Buyer } from './orders.service';
export { ResellersService, RESELLER, TOPUP_SCOPE } from './resellers.service';
export { CatalogueService } from './catalogue.service';
export { OrderSteps } from './order-steps';
export { CallbackIntake } from './callback-intake.service';
export { DtOneClient, outcomeOf, type AggregatorOutcome } from './dtone.client';
export {
  AGGREGATOR_PROVIDER,
  AggregatorCallbackDto,
  AggregatorCallbackVerifier,
} from './aggregator.webhook';
export {
  FINAL_STATES,
  LEGAL_TRANSITIONS,
  OPEN_STATES,
  ORDER_STATES,
  canMove,
  type OrderState,
} from './order-states';
export {
  TOPUP_QUEUE,
  TopupJob,
  type CallbackJob,
  type OrderStepJob,
  type PeriodicTopupJob,
} from './orders.jobs';
export { ORDER_EVENT, TOPUP_NAMESPACE, type OrderChangedPayload } from './topup.events';
export { PAY_WITH, type Order, type PayWith, type Reseller } from './orders.types';
export { priceOf, toMinor } from './pricing';
export {
  AggregatorRefusedError,
  AggregatorUnavailableError,
  FloatShortError,
  IllegalTransitionError,
  InvalidPhoneError,
  NotAResellerError,
  OperatorNotFoundError,
  OrderNotFoundError,
  PaymentMethodError,
  ProductNotFoundError,
  QuoteExpiredError,
  QuoteNotFoundError,
  QuoteUsedError,
  ResellerNotFoundError,
  WalletShortError,
} from './orders.errors';
export {
  CreateTopupOrderDto,
  CreateTopupQuoteDto,
  CreateResellerDto,
  CreateResellerKeyDto,
  DepositDto,
  OrderActionDto,
  TopupOrderDto,
  OrderEventDto,
  TopupOrderPageDto,
  OrdersQueryDto,
  ProductDto,
  ProductsDto,
  ProductsQueryDto,
  TopupQuoteDto,
  ResellerDto,
  ResellerKeyDto,
} from './dto/topup.dto';
export { TOPUP_ASYNCAPI } from './topup.asyncapi';
