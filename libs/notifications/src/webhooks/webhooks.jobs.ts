/** Partner webhook deliveries: a queue of their own, run with WEBHOOKS_CONCURRENCY. */
export const WEBHOOKS_QUEUE = 'webhooks';

export const WebhooksJob = {
  Deliver: 'webhooks.deliver',
} as const;

/** One attempt of one delivery, job id `webhooks-deliver:<deliveryId>:<attempt>`. */
export interface DeliverJob {
  deliveryId: string;
  attempt: number;
}

export const deliverJobId = (deliveryId: string, attempt: number): string =>
  `webhooks-deliver:${deliveryId}:${attempt}`;
