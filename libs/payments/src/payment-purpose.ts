import type { Tx } from '@bourse/platform';
import { Injectable } from '@nestjs/common';
import { UnknownPurposeError } from './payments.errors';
import type { Payment } from './payments.types';

/** What a payment pays for, declared by the lib that owns it (`wallet_deposit` is payments'). */
export interface PaymentPurpose {
  name: string;
  /** The ledger account a capture credits and a refund debits, in the settlement's transaction. */
  settlementAccount(payment: Payment, tx: Tx): Promise<string>;
}

/** The purposes the loaded libs declared; a name declared twice fails the boot. */
@Injectable()
export class PaymentPurposes {
  private readonly purposes = new Map<string, PaymentPurpose>();

  register(purpose: PaymentPurpose): void {
    if (this.purposes.has(purpose.name)) {
      throw new Error(`Payment purpose ${purpose.name} is declared twice`);
    }
    this.purposes.set(purpose.name, purpose);
  }

  get(name: string): PaymentPurpose {
    const purpose = this.purposes.get(name);
    if (!purpose) {
      throw new UnknownPurposeError(name);
    }

    return purpose;
  }
}
