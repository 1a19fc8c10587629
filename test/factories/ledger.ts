import {
  AccountsService,
  KeyedTransfersService,
  LedgerModule,
  StatementsService,
  TransfersService,
  type Account,
  type AccountKind,
  type TransferInput,
} from '@bourse/ledger';
import { ConfigModule, Database, DatabaseModule, type Env } from '@bourse/platform';
import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { randomUUID } from 'node:crypto';
import { testConfig } from '../setup/apps';

/** The ledger's services, as a test reaches them (`ledger.transfers.transfer(…)`). */
export interface LedgerServices {
  accounts: AccountsService;
  transfers: TransfersService;
  keyed: KeyedTransfersService;
  statements: StatementsService;
}

/** The ledger's services of a running app (the api, the worker, or startLedger's context). */
export function ledgerOf(app: INestApplicationContext): LedgerServices {
  return {
    accounts: app.get(AccountsService),
    transfers: app.get(TransfersService),
    keyed: app.get(KeyedTransfersService),
    statements: app.get(StatementsService),
  };
}

/** The ledger on the run's database, without HTTP: config, database and LedgerModule only. */
export async function startLedger(env: Env = {}): Promise<{
  app: INestApplicationContext;
  ledger: LedgerServices;
  db: Database;
}> {
  @Module({ imports: [ConfigModule.forRoot(testConfig(env)), DatabaseModule, LedgerModule] })
  class LedgerTestModule {}
  const app = await NestFactory.createApplicationContext(LedgerTestModule, { logger: false });
  app.enableShutdownHooks();

  return { app, ledger: ledgerOf(app), db: app.get(Database) };
}

/** A USD transfer between two accounts under a fresh id; `extra` sets or overrides any field. */
export function usdTransfer<T extends TransferInput = TransferInput>(
  from: { id: string },
  to: { id: string },
  amount: bigint,
  extra: Partial<T> = {},
): T {
  return {
    id: randomUUID(),
    debitAccountId: from.id,
    creditAccountId: to.id,
    amount,
    asset: 'USD',
    code: 'test',
    ...extra,
  } as T;
}

/** Accounts and money made through the real service. */
export class LedgerFactory {
  constructor(private readonly ledger: LedgerServices) {}

  /** A fresh allow-negative system account (a new id per call, so tests do not share one). */
  system(
    kind: Exclude<AccountKind, 'user_wallet'> = 'psp_clearing',
    asset = 'USD',
  ): Promise<Account> {
    return this.ledger.accounts.createAccount({
      asset,
      owner: `system:${kind}`,
      kind,
      allowNegative: true,
    });
  }

  /** A user wallet, funded from a fresh clearing account when `balance` is given. */
  async wallet({
    asset = 'USD',
    balance = 0n,
  }: { asset?: string; balance?: bigint } = {}): Promise<Account> {
    const wallet = await this.ledger.accounts.createAccount({
      asset,
      owner: randomUUID(),
      kind: 'user_wallet',
    });
    if (balance > 0n) {
      const clearing = await this.system('psp_clearing', asset);
      await this.ledger.transfers.transfer({
        id: randomUUID(),
        debitAccountId: clearing.id,
        creditAccountId: wallet.id,
        amount: balance,
        asset,
        code: 'deposit',
      });
    }

    return wallet;
  }

  async available(accountId: string): Promise<bigint> {
    return (await this.ledger.accounts.getAccount(accountId))!.balance.available;
  }

  async posted(accountId: string): Promise<bigint> {
    return (await this.ledger.accounts.getAccount(accountId))!.balance.posted;
  }
}
