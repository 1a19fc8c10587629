import { AccountsService, InsufficientFundsError, TransfersService } from '@bourse/ledger';
import { PaymentsService } from '@bourse/payments';
import type { Tx } from '@bourse/platform';
import { Injectable } from '@nestjs/common';
import { v5 as uuidV5 } from 'uuid';
import { FloatShortError, WalletShortError } from './orders.errors';
import type { Order } from './orders.types';

/** Namespace of the ledger transfer ids derived from an order and its leg. */
const TRANSFER_NAMESPACE = '0d7c2f3e-4a8b-5c1d-9e6f-7a8b9c0d1e2f';

export const legId = (orderId: string, leg: string): string =>
  uuidV5(`${orderId}:${leg}`, TRANSFER_NAMESPACE);

/**
 * The ledger postings of an order, each in the caller's transaction (the one moving the order's
 * state), under ids derived from the order, so a step run twice posts once:
 * - paid: the price held (wallet or float → aggregator float, pending), or the card authorised;
 * - delivered: the hold posted (or the card captured into the aggregator float), then our fee
 *   out of the float to `fees`, and a reseller's commission from `fees` to its float;
 * - failed before delivery: the hold voided, or the authorisation cancelled;
 * - refunded after delivery: every leg of the delivery reversed.
 */
@Injectable()
export class OrderMoney {
  constructor(
    private readonly accounts: AccountsService,
    private readonly transfers: TransfersService,
    private readonly payments: PaymentsService,
  ) {}

  /** The aggregator float of the asset: what top-ups cost us is owed to (and prepaid at) DT One. */
  async floatAccount(asset: string, tx: Tx): Promise<string> {
    return (await this.accounts.ensureSystemAccount('aggregator_float', asset, tx)).id;
  }

  /** Holds the price on the payer's wallet (a reseller's float is its wallet); answers the hold id. */
  async hold(order: Order, tx: Tx): Promise<string> {
    const wallet = await this.accounts.ensureWallet(order.userId, order.asset, tx);
    const short = () =>
      order.resellerId
        ? new FloatShortError(order.resellerId, available, order.price)
        : new WalletShortError(available, order.price);
    const { available } = (await this.accounts.getAccount(wallet.id, tx))!.balance;
    if (available < order.price) {
      throw short();
    }
    try {
      const hold = await this.transfers.transfer(
        {
          id: legId(order.id, 'hold'),
          debitAccountId: wallet.id,
          creditAccountId: await this.floatAccount(order.asset, tx),
          amount: order.price,
          asset: order.asset,
          code: 'topup.hold',
          metadata: { orderId: order.id },
          pending: true,
        },
        tx,
      );

      return hold.id;
    } catch (error) {
      // Spent between the check and the hold: the ledger's own check is the one that counts.
      if (error instanceof InsufficientFundsError) {
        throw short();
      }
      throw error;
    }
  }

  /** Delivered: the price reaches the aggregator float, then the fee and commission legs. */
  async settleDelivery(order: Order, tx: Tx): Promise<void> {
    if (order.holdId) {
      await this.transfers.postPending(order.holdId, {}, tx);
    } else {
      await this.payments.capture(order.paymentId!, {}, tx);
    }
    const float = await this.floatAccount(order.asset, tx);
    const fees = (await this.accounts.ensureSystemAccount('fees', order.asset, tx)).id;
    const legs = [
      { leg: 'fee', from: float, to: fees, amount: order.fee, code: 'topup.fee' },
      ...(order.resellerId
        ? [
            {
              leg: 'commission',
              from: fees,
              to: (await this.accounts.ensureWallet(order.userId, order.asset, tx)).id,
              amount: order.commission,
              code: 'topup.commission',
            },
          ]
        : []),
    ];
    await this.post(order, legs, tx);
  }

  /** Failed before delivery: nothing was taken, the hold or authorisation is released. */
  async release(order: Order, tx: Tx): Promise<void> {
    if (order.holdId) {
      await this.transfers.voidPending(order.holdId, tx);
    } else if (order.paymentId) {
      await this.payments.cancel(order.paymentId, tx);
    }
  }

  /** Refunded after delivery: the commission, the fee and the price go back the way they came. */
  async reverseDelivery(order: Order, tx: Tx): Promise<void> {
    const float = await this.floatAccount(order.asset, tx);
    const fees = (await this.accounts.ensureSystemAccount('fees', order.asset, tx)).id;
    const payer = (await this.accounts.ensureWallet(order.userId, order.asset, tx)).id;
    await this.post(
      order,
      [
        ...(order.resellerId
          ? [
              {
                leg: 'commission-reversal',
                from: payer,
                to: fees,
                amount: order.commission,
                code: 'topup.commission_reversal',
              },
            ]
          : []),
        { leg: 'fee-reversal', from: fees, to: float, amount: order.fee, code: 'topup.fee_refund' },
        ...(order.holdId
          ? [{ leg: 'refund', from: float, to: payer, amount: order.price, code: 'topup.refund' }]
          : []),
      ],
      tx,
    );
    if (order.paymentId) {
      await this.payments.refund(order.paymentId, undefined, tx);
    }
  }

  private async post(
    order: Order,
    legs: { leg: string; from: string; to: string; amount: bigint; code: string }[],
    tx: Tx,
  ): Promise<void> {
    for (const { leg, from, to, amount, code } of legs) {
      if (amount > 0n) {
        await this.transfers.transfer(
          {
            id: legId(order.id, leg),
            debitAccountId: from,
            creditAccountId: to,
            amount,
            asset: order.asset,
            code,
            metadata: { orderId: order.id },
          },
          tx,
        );
      }
    }
  }
}
