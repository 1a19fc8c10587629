import type { MigrationInterface } from 'typeorm';
import { CreateAuth1764000000100 } from './1764000000100-create-auth';
import { CreateIdempotencyKeys1764000000200 } from './1764000000200-create-idempotency-keys';
import { CreateOutbox1764000000300 } from './1764000000300-create-outbox';
import { CreateLedger1764000001000 } from './1764000001000-create-ledger';
import { LedgerPostTransfer1764000001100 } from './1764000001100-ledger-post-transfer';
import { CreateMarketData1764000002000 } from './1764000002000-create-market-data';
import { IndexFinishedOutbox1764000003000 } from './1764000003000-index-finished-outbox';
import { LedgerTransfersWithoutFks1764000004000 } from './1764000004000-ledger-transfers-without-fks';
import { LedgerPostTransferOverflow1764000005000 } from './1764000005000-ledger-post-transfer-overflow';
import { ApiKeyExpiry1764000006000 } from './1764000006000-api-key-expiry';
import { UserDisabled1764000007000 } from './1764000007000-user-disabled';
import { RefreshTokensRevokedIndex1764000008000 } from './1764000008000-refresh-tokens-revoked-index';
import { LedgerAccountFreeze1764000009000 } from './1764000009000-ledger-account-freeze';
import { CreateAuditEvents1764000010000 } from './1764000010000-create-audit-events';
import { LedgerTransferOnce1764000011000 } from './1764000011000-ledger-transfer-once';
import { IdempotencyTryLock1764000012000 } from './1764000012000-idempotency-try-lock';
import { LedgerTransfersOnceBatch1764000013000 } from './1764000013000-ledger-transfers-once-batch';
import { LedgerFunctionsIndexPlans1764000014000 } from './1764000014000-ledger-functions-index-plans';
import { OpenRoles1765100000000 } from './1765100000000-open-roles';
import { CreateInbox1765200000000 } from './1765200000000-create-inbox';
import { IdempotencyOneMechanism1765400000000 } from './1765400000000-idempotency-one-mechanism';
import { LedgerOneWalletPerUserAsset1765400001000 } from './1765400001000-ledger-one-wallet-per-user-asset';
import { OutboxTraceContext1765600000000 } from './1765600000000-outbox-trace-context';
import { CreateUploads1765800000000 } from './1765800000000-create-uploads';
import { CreatePayments1765900000000 } from './1765900000000-create-payments';
import { CreateTrading1766000000000 } from './1766000000000-create-trading';
import { CreateKyc1766000001000 } from './1766000001000-create-kyc';
import { CreateNotifications1766100000000 } from './1766100000000-create-notifications';
import { CreateWebhooks1766100001000 } from './1766100001000-create-webhooks';
import { NotificationsSms1766210000000 } from './1766210000000-notifications-sms';
import { PaymentFeesDisputesPayouts1766220000000 } from './1766220000000-payment-fees-disputes-payouts';
import { CreatePaymentReconciliations1766220001000 } from './1766220001000-create-payment-reconciliations';
import { KycDocumentsRetentionCustody1766230000000 } from './1766230000000-kyc-documents-retention-custody';
import { CreateIdentity1766240000000 } from './1766240000000-create-identity';
import { CreateAlerts1766250000000 } from './1766250000000-create-alerts';
import { CreateAuctions1766260000000 } from './1766260000000-create-auctions';
import { CreateTopup1766270000000 } from './1766270000000-create-topup';

/** Every migration, oldest first. Hand-written SQL; each `down` undoes its `up`. */
export const MIGRATIONS: (new () => MigrationInterface)[] = [
  CreateAuth1764000000100,
  CreateIdempotencyKeys1764000000200,
  CreateOutbox1764000000300,
  CreateLedger1764000001000,
  LedgerPostTransfer1764000001100,
  CreateMarketData1764000002000,
  IndexFinishedOutbox1764000003000,
  LedgerTransfersWithoutFks1764000004000,
  LedgerPostTransferOverflow1764000005000,
  ApiKeyExpiry1764000006000,
  UserDisabled1764000007000,
  RefreshTokensRevokedIndex1764000008000,
  LedgerAccountFreeze1764000009000,
  CreateAuditEvents1764000010000,
  LedgerTransferOnce1764000011000,
  IdempotencyTryLock1764000012000,
  LedgerTransfersOnceBatch1764000013000,
  LedgerFunctionsIndexPlans1764000014000,
  OpenRoles1765100000000,
  CreateInbox1765200000000,
  IdempotencyOneMechanism1765400000000,
  LedgerOneWalletPerUserAsset1765400001000,
  OutboxTraceContext1765600000000,
  CreateUploads1765800000000,
  CreatePayments1765900000000,
  CreateTrading1766000000000,
  CreateKyc1766000001000,
  CreateNotifications1766100000000,
  CreateWebhooks1766100001000,
  NotificationsSms1766210000000,
  PaymentFeesDisputesPayouts1766220000000,
  CreatePaymentReconciliations1766220001000,
  KycDocumentsRetentionCustody1766230000000,
  CreateIdentity1766240000000,
  CreateAlerts1766250000000,
  CreateAuctions1766260000000,
  CreateTopup1766270000000,
];
