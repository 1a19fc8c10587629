import {
  INBOX_QUEUE,
  InboxJob,
  InboxProcessing,
  TracedJob,
  type ProcessInboxEventJob,
} from '@bourse/platform';
import { Process, Processor } from '@nestjs/bull';
import type { Job } from 'bull';

@Processor(INBOX_QUEUE)
export class ProcessInboxEventProcessor {
  constructor(private readonly inbox: InboxProcessing) {}

  @Process(InboxJob.ProcessEvent)
  @TracedJob()
  handle({ data }: Job<ProcessInboxEventJob>): Promise<'processed' | 'skipped'> {
    // Delivered at least once: an event already processed is skipped under its row lock.
    return this.inbox.process(data.inboxId);
  }
}
