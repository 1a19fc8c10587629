export { LEDGER_AUDIT } from './ledger.audit';
export { LEDGER_CONFIG, type LedgerAppConfig } from './ledger.config';
export { LedgerModule } from './ledger.module';
export { AccountsService } from './accounts.service';
export { TransfersService } from './transfers.service';
export { KeyedTransfersService } from './keyed-transfers.service';
export { StatementsService } from './statements.service';
export {
  ACCOUNT_KINDS,
  MAX_BATCH_SIZE,
  type Account,
  type AccountKind,
  type AccountPage,
  type AccountWithBalance,
  type Asset,
  type Balance,
  type BatchTransferInput,
  type CreateAccountInput,
  type InvariantReport,
  type StatementEntry,
  type StatementPage,
  type Transfer,
  type TransferErrorCode,
  type TransferInput,
  type TransferPage,
  type TransferResult,
  type TransferStatus,
} from './ledger.types';
export {
  AccountConflictError,
  AccountFrozenError,
  AccountNotFoundError,
  AssetMismatchError,
  AssetNotFoundError,
  BatchTooLargeError,
  InsufficientFundsError,
  InvalidAccountError,
  InvalidCursorError,
  InvalidTransferError,
  LinkedChainOpenError,
  LinkedFailedError,
  PendingExpiredError,
  TransferConflictError,
  TransferError,
  TransferNotFoundError,
  TransferStateError,
  WalletExistsError,
} from './ledger.errors';
export {
  LEDGER_QUEUE,
  LedgerJob,
  type VerifyInvariantsJob,
  type VoidExpiredHoldsJob,
} from './ledger.jobs';
export { LedgerApiModule } from './ledger-api.module';
export { LedgerAdminService } from './ledger-admin.service';
export { WalletsService } from './wallets.service';
export {
  CountTransfers,
  LedgerMetrics,
  LedgerMetricsModule,
  TransferMetricsInterceptor,
} from './ledger.metrics';
export {
  INVARIANT_CHECKS,
  invariantReportJson,
  violationsByCheck,
  type InvariantCheck,
} from './invariant-report';
export { AMOUNT_PATTERN, IsMinorUnits, IsOptionalMinorUnits } from './dto/amount';
export {
  AccountDto,
  AccountPageDto,
  AccountsQueryDto,
  AccountWithBalanceDto,
  BalanceDto,
  CreateAccountDto,
  WalletDto,
} from './dto/account.dto';
export {
  BatchTransferItemDto,
  CreateTransferDto,
  CreateTransfersBatchDto,
  PostTransferDto,
  TransferDto,
  TransferPageDto,
  TransferResultDto,
  TransfersQueryDto,
  TransfersBatchResultDto,
} from './dto/transfer.dto';
export { AssetDto } from './dto/asset.dto';
export { HoldDto, HoldPageDto } from './dto/hold.dto';
export { StatementEntryDto, StatementPageDto, toStatementPageDto } from './dto/statement.dto';
