/** Payments' queue: payouts sent to PayPal, the dispute deadline check and reconciliation. */
export const PAYMENTS_QUEUE = 'payments';

export const PaymentsJob = {
  DisputeDeadlines: 'payments.dispute-deadlines',
  SendPayout: 'payments.send-payout',
  Reconcile: 'payments.reconcile',
} as const;

/** `bucket` is the start of the schedule's time bucket (ISO), the job id's business key. */
export interface DisputeDeadlinesJob {
  bucket: string;
}

/** The payout to send; its id is the job id's business key (`payout:<id>`). */
export interface SendPayoutJob {
  payoutId: string;
}

/** `bucket` is the start of the schedule's time bucket (ISO); the run's window ends there. */
export interface ReconcileJob {
  bucket: string;
}
