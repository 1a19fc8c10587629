import {
  INBOX_QUEUE,
  InboxJob,
  InboxProcessing,
  TracedJob,
  type ProcessInboxEventJob,
} from '@bourse/platform';
import { Process, Processor } from '@nestjs/bull';
import type { Job } from 'bull';

/**
 * Events applied at once per worker. Handlers serialise what must be (a payment's events take its
 * row lock), so one slow provider call no longer holds every other event behind it.
 */
const INBOX_CONCURRENCY = 8;

@Processor(INBOX_QUEUE)
export class ProcessInboxEventProcessor {
  constructor(private readonly inbox: InboxProcessing) {}

  @Process({ name: InboxJob.ProcessEvent, concurrency: INBOX_CONCURRENCY })
  @TracedJob()
  handle({ data }: Job<ProcessInboxEventJob>): Promise<'processed' | 'skipped'> {
    // Delivered at least once: an event already processed is skipped under its row lock.
    return this.inbox.process(data.inboxId);
  }
}
