import {
  InboxHandler,
  type InboxEvent,
  type InboxEventHandler,
  type WebhookVerifier,
} from '@bourse/platform';
import { Injectable } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsInt, IsObject, IsString, Min } from 'class-validator';
import { OrderSteps } from './order-steps';

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

/** Applies a stored callback: the order's status re-read from the aggregator before money moves. */
@Injectable()
@InboxHandler(AGGREGATOR_PROVIDER)
export class AggregatorCallbackHandler implements InboxEventHandler {
  constructor(private readonly steps: OrderSteps) {}

  async handle(event: InboxEvent): Promise<void> {
    const payload = event.payload as { id: number; external_id: string };
    await this.steps.applyCallback(payload.external_id, String(payload.id));
  }
}
