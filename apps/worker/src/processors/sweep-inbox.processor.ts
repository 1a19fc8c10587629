import {
  INBOX_QUEUE,
  INBOX_SWEEP_INTERVAL_SECONDS,
  InboxJob,
  InboxProcessing,
} from '@bourse/platform';
import { Process, Processor } from '@nestjs/bull';

@Processor(INBOX_QUEUE)
export class SweepInboxProcessor {
  constructor(private readonly inbox: InboxProcessing) {}

  @Process(InboxJob.SweepUnprocessed)
  handle(): Promise<number> {
    return this.inbox.sweep(INBOX_SWEEP_INTERVAL_SECONDS);
  }
}
