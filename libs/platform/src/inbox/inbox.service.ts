import { Injectable, Logger } from '@nestjs/common';
import { Database, type Tx } from '../database/database';
import { OutboxService } from '../queue/outbox.service';
import { InvalidWebhookSignatureError } from './inbox.errors';
import { InboxHandlers } from './inbox.handlers';
import { INBOX_QUEUE, InboxJob, type ProcessInboxEventJob } from './inbox.jobs';
import { InboxMetrics } from './inbox.metrics';
import { InboxRepository } from './inbox.repository';

/** A provider event whose signature verified, in the provider's own terms. */
export interface ReceivedEvent {
  /** Who sent it, a name the lib picks (the handler registered for it processes it). */
  provider: string;
  /** The provider's id of the event; a redelivery carries the same one. */
  eventId: string;
  type: string;
  /** The event as the provider sent it, fields we do not model included. */
  payload: object;
}

/** What a webhook route answers: 200 either way, so the provider stops redelivering. */
export interface ReceiveResult {
  received: true;
  duplicate: boolean;
}

/**
 * The inbox: provider events stored once (api) and handed to the lib that registered a handler
 * for their provider (worker), at least once, each applied once.
 */
@Injectable()
export class InboxService {
  constructor(
    private readonly db: Database,
    private readonly inbox: InboxRepository,
    private readonly outbox: OutboxService,
    private readonly metrics: InboxMetrics,
  ) {}

  /**
   * Stores a verified event and enqueues its processing in the same transaction (one insert
   * each, so the route answers in milliseconds). A delivery of an event already stored is a
   * duplicate: nothing new is written.
   */
  async receive(event: ReceivedEvent, outer?: Tx): Promise<ReceiveResult> {
    const stored = await this.db.transaction(outer, async (tx) => {
      const id = await this.inbox.insert(tx, event);
      if (id !== undefined) {
        await this.outbox.enqueue<ProcessInboxEventJob>(tx, {
          queue: INBOX_QUEUE,
          name: InboxJob.ProcessEvent,
          jobId: `inbox:${id}`,
          payload: { inboxId: id },
        });
      }

      return id !== undefined;
    });
    (stored ? this.metrics.received : this.metrics.duplicates).inc({ provider: event.provider });

    return { received: true, duplicate: !stored };
  }

  /** Counts and refuses (400) a delivery whose signature did not verify. */
  refuseSignature(provider: string): never {
    this.metrics.signatureFailures.inc({ provider });
    throw new InvalidWebhookSignatureError(provider);
  }
}

/**
 * Runs the handlers (worker). The handler's effect and the processed mark commit together; a
 * failure rolls both back, is recorded on the row (attempts, last error) and rethrown for Bull
 * to retry.
 */
@Injectable()
export class InboxProcessing {
  private readonly logger = new Logger('InboxProcessing');

  constructor(
    private readonly db: Database,
    private readonly inbox: InboxRepository,
    private readonly handlers: InboxHandlers,
  ) {}

  /** 'skipped' when the event was already processed (a redelivered job). */
  async process(inboxId: string): Promise<'processed' | 'skipped'> {
    try {
      return await this.db.transaction(undefined, async (tx) => {
        const event = await this.inbox.lockUnprocessed(tx, inboxId);
        if (!event) {
          return 'skipped';
        }
        const handler = this.handlers.get(event.provider);
        if (!handler) {
          throw new Error(`No inbox handler for provider "${event.provider}"`);
        }
        await handler.handle(event, tx);
        await this.inbox.markProcessed(tx, inboxId);

        return 'processed';
      });
    } catch (error) {
      // Bull's retry needs the handler's error, not a second one from recording it.
      await this.inbox
        .recordFailure(
          this.db.manager,
          inboxId,
          error instanceof Error ? error.message : String(error),
        )
        .catch((recordError: unknown) =>
          this.logger.warn({ msg: 'inbox failure not recorded', inboxId, err: recordError }),
        );
      throw error;
    }
  }

  /**
   * Processes events whose job is gone (failed out of attempts, say, before a fix was deployed)
   * once they are `olderThanSeconds` old; returns how many were processed. A failure is recorded
   * on its row and the sweep goes on with the next.
   */
  async sweep(olderThanSeconds: number, limit = 100): Promise<number> {
    const orphans = await this.inbox.orphans(this.db.manager, olderThanSeconds, limit);
    let processed = 0;
    for (const { id } of orphans) {
      try {
        if ((await this.process(id)) === 'processed') {
          processed += 1;
        }
      } catch (error) {
        this.logger.warn({ msg: 'inbox event failed again in the sweep', inboxId: id, err: error });
      }
    }

    return processed;
  }
}
