/** The queue that runs the handlers of received provider events (worker only). */
export const INBOX_QUEUE = 'inbox';

export const InboxJob = {
  ProcessEvent: 'inbox.process-event',
  SweepUnprocessed: 'inbox.sweep-unprocessed',
} as const;

/** `inboxId` is the inbox row's id; the job id is `inbox:${inboxId}`. */
export interface ProcessInboxEventJob {
  inboxId: string;
}

/** How often the worker looks for unprocessed events whose job is gone, and how old they must be. */
export const INBOX_SWEEP_INTERVAL_SECONDS = 60;
