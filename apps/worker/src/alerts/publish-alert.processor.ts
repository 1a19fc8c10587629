import { ALERTS_QUEUE, AlertEventsService, AlertsJob, type PublishLiveJob } from '@bourse/alerts';
import { TracedJob } from '@bourse/platform';
import { Process, Processor } from '@nestjs/bull';
import type { Job } from 'bull';

/**
 * Publishes a fired alert to the api nodes once more, from the outbox: the evaluator publishes
 * it straight after its commit, and this covers a publish lost with a crashing evaluator.
 */
@Processor(ALERTS_QUEUE)
export class PublishAlertProcessor {
  constructor(private readonly events: AlertEventsService) {}

  @Process(AlertsJob.PublishLive)
  @TracedJob()
  publish({ data }: Job<PublishLiveJob>): Promise<void> {
    return this.events.publishLive(data.eventId);
  }
}
