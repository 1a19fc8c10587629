/** Trading's queue: settlement instructions to the custodian and the daily reconciliation. */
export const TRADING_QUEUE = 'trading';

export const TradingJob = {
  CustodyInstruction: 'trading.custody-instruction',
  Reconcile: 'trading.reconcile-custody',
} as const;

/** An executed order's metal moving in (buy) or out (sell) of custody; job id `custody:<orderId>`. */
export interface CustodyInstructionJob {
  orderId: string;
  metal: string;
  side: 'buy' | 'sell';
  /** Metal minor units (milligrams), a decimal string. */
  weight: string;
}

/** `bucket` is the start of the schedule's time bucket (ISO), the job id's business key. */
export interface ReconcileJob {
  bucket: string;
}
