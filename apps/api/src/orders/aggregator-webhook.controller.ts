import {
  AGGREGATOR_PROVIDER,
  AggregatorCallbackDto,
  AggregatorCallbackVerifier,
  CallbackIntake,
} from '@bourse/orders';
import { Webhook, WebhookPayload, type ReceiveResult } from '@bourse/platform';
import { Controller, Post, Query } from '@nestjs/common';

/**
 * DT One's transaction callbacks. They are unsigned, so the URL we gave the transaction carries
 * the order's secret (`?order=&secret=`), checked before the inbox stores anything.
 */
@Controller('v1/webhooks')
export class AggregatorWebhookController {
  constructor(private readonly intake: CallbackIntake) {}

  @Post('aggregator')
  @Webhook(AGGREGATOR_PROVIDER, AggregatorCallbackVerifier)
  receive(
    @Query('order') order: string | undefined,
    @Query('secret') secret: string | undefined,
    @WebhookPayload() callback: AggregatorCallbackDto,
  ): Promise<ReceiveResult> {
    return this.intake.receive({ order, secret }, callback);
  }
}
