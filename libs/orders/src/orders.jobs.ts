/** The top-up queue: every step of an order, the sweeper and the catalogue refresh. */
export const TOPUP_QUEUE = 'topup';

export const TopupJob = {
  /** Waits for a card or PayPal authorisation (polled, with back-off). */
  AwaitPayment: 'topup.await-payment',
  Submit: 'topup.submit',
  Poll: 'topup.poll',
  Refund: 'topup.refund',
  /** An aggregator callback, taken from the inbox: the status re-read, then settled. */
  Callback: 'topup.callback',
  Sweep: 'topup.sweep',
  RefreshCatalogue: 'topup.refresh-catalogue',
} as const;

/** An order's step; `attempt` numbers polls, making each poll a job of its own. */
export interface OrderStepJob {
  orderId: string;
  attempt?: number;
}

export interface CallbackJob {
  orderId: string;
  transactionId: string;
}

/** `bucket` is the start of the schedule's time bucket (ISO), the job id's business key. */
export interface PeriodicTopupJob {
  bucket: string;
}
