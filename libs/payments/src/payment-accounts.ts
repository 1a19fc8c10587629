import { AccountsService, type AccountKind } from '@bourse/ledger';
import type { Tx } from '@bourse/platform';
import { Injectable } from '@nestjs/common';
import { v5 as uuidV5 } from 'uuid';

/** Namespace of the ids of payments' own system accounts (one per account and asset). */
const ACCOUNT_NAMESPACE = '0b6c2f4e-8a51-4f0e-9d36-2a7c1e5b9f43';

/**
 * Payments' system accounts beside the ledger's `psp_clearing`, each `system:payments_<name>`:
 * the providers' fees, the disputes reserve (money a provider withheld until a dispute closes),
 * disputes lost (written off), and payouts (withdrawals on their way to the payee).
 */
const ACCOUNTS = {
  psp_fees: 'fees',
  dispute_reserve: 'house',
  dispute_losses: 'house',
  payouts: 'psp_clearing',
} as const satisfies Record<string, Exclude<AccountKind, 'user_wallet'>>;

export type PaymentAccount = keyof typeof ACCOUNTS | 'psp_clearing';

@Injectable()
export class PaymentAccounts {
  constructor(private readonly accounts: AccountsService) {}

  /** The account's id, created (allow-negative) on first use under an id derived from its name. */
  async id(name: PaymentAccount, asset: string, tx: Tx): Promise<string> {
    if (name === 'psp_clearing') {
      return (await this.accounts.ensureSystemAccount('psp_clearing', asset, tx)).id;
    }

    return (
      await this.accounts.createAccount(
        {
          id: uuidV5(`${name}:${asset}`, ACCOUNT_NAMESPACE),
          asset,
          owner: `system:payments_${name}`,
          kind: ACCOUNTS[name],
          allowNegative: true,
        },
        tx,
      )
    ).id;
  }
}
