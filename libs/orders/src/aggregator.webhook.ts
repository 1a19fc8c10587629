import {
  InboxHandler,
  OutboxService,
  type InboxEvent,
  type InboxEventHandler,
  type Tx,
  type WebhookVerifier,
} from '@bourse/platform';
import { Injectable } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsInt, IsObject, IsString, Min } from 'class-validator';
import { TOPUP_QUEUE, TopupJob, type CallbackJob } from './orders.jobs';

export const AGGREGATOR_PROVIDER = 'dtone';

/** What Bourse reads of DT One's callback (the transaction); the rest is kept as sent. */
export class AggregatorCallbackDto {
  @ApiProperty()
  @IsInt()
  @Min(1)
  id!: number;

  @ApiProperty()
  @IsString()
  external_id!: string;

  @ApiProperty()
  @IsObject()
  status!: { id: number; message: string };
}

/**
 * DT One does not sign callbacks: any JSON body passes here, and the route checks the per-order
 * secret its callback URL carries before the inbox stores anything.
 */
@Injectable()
export class AggregatorCallbackVerifier implements WebhookVerifier {
  verify(rawBody: Buffer): boolean {
    return rawBody.length > 0;
  }
}

/**
 * Hands a stored callback to the top-up queue, in the inbox's transaction: the inbox runs one
 * event at a time, the top-up queue many, and the status re-read (a call to DT One) and the
 * settlement (OrderSteps.applyCallback) hold no inbox transaction open.
 */
@Injectable()
@InboxHandler(AGGREGATOR_PROVIDER)
export class AggregatorCallbackHandler implements InboxEventHandler {
  constructor(private readonly outbox: OutboxService) {}

  async handle(event: InboxEvent, tx: Tx): Promise<void> {
    const payload = event.payload as { id: number; external_id: string };
    await this.outbox.enqueue<CallbackJob>(tx, {
      queue: TOPUP_QUEUE,
      name: TopupJob.Callback,
      jobId: `topup-callback:${event.eventId}`,
      payload: { orderId: payload.external_id, transactionId: String(payload.id) },
    });
  }
}
