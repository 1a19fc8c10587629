import { ALERTS_CONFIG } from '@bourse/alerts';
import { AUCTIONS_CONFIG } from '@bourse/auctions';
import { KYC_CONFIG } from '@bourse/kyc';
import { LEDGER_CONFIG } from '@bourse/ledger';
import { MARKET_CONFIG } from '@bourse/market-data';
import { NOTIFICATIONS_CONFIG } from '@bourse/notifications';
import { ORDERS_CONFIG } from '@bourse/orders';
import { PAYMENTS_CONFIG } from '@bourse/payments';
import type { AppConfig, SectionsConfig } from '@bourse/platform';
import { STORAGE_CONFIG } from '@bourse/storage';
import { TRADING_CONFIG } from '@bourse/trading';

/** The config sections of the libs the api loads, beside the platform's. */
export const API_CONFIG_SECTIONS = [
  LEDGER_CONFIG,
  MARKET_CONFIG,
  STORAGE_CONFIG,
  NOTIFICATIONS_CONFIG,
  TRADING_CONFIG,
  KYC_CONFIG,
  PAYMENTS_CONFIG,
  ALERTS_CONFIG,
  AUCTIONS_CONFIG,
  ORDERS_CONFIG,
] as const;

export type ApiConfig = AppConfig & SectionsConfig<typeof API_CONFIG_SECTIONS>;
