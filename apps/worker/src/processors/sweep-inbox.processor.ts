import {
  INBOX_QUEUE,
  INBOX_SWEEP_INTERVAL_SECONDS,
  InboxJob,
  InboxProcessing,
  TracedJob,
} from '@bourse/platform';
import { Process, Processor } from '@nestjs/bull';

@Processor(INBOX_QUEUE)
export class SweepInboxProcessor {
  constructor(private readonly inbox: InboxProcessing) {}

  @Process(InboxJob.SweepUnprocessed)
  @TracedJob()
  handle(): Promise<number> {
    return this.inbox.sweep(INBOX_SWEEP_INTERVAL_SECONDS);
  }
}
