import { InboxHandler, type InboxEvent, type InboxEventHandler, type Tx } from '@bourse/platform';
import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { KycService } from '../kyc.service';
import { SUMSUB_PROVIDER, type SumsubWebhookDto } from './sumsub.webhook';

/** Applies Sumsub's `applicantReviewed` results to the user's case; other event types are kept only. */
@InboxHandler(SUMSUB_PROVIDER)
@Injectable()
export class SumsubReviewHandler implements InboxEventHandler {
  constructor(private readonly kyc: KycService) {}

  async handle(event: InboxEvent, tx: Tx): Promise<void> {
    const payload = event.payload as unknown as SumsubWebhookDto;
    if (payload.type !== 'applicantReviewed' || !payload.reviewResult) {
      return;
    }
    await this.kyc.applyVendorReview(tx, {
      userId: payload.externalUserId,
      answer: payload.reviewResult.reviewAnswer,
      rejectType: payload.reviewResult.reviewRejectType,
      rejectLabels: payload.reviewResult.rejectLabels ?? [],
      actorKey: `vendor:${SUMSUB_PROVIDER}`,
      payloadHash: createHash('sha256').update(JSON.stringify(event.payload)).digest('hex'),
    });
  }
}
