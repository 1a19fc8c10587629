import { Mailer } from '@bourse/notifications';
import {
  EmailTokens,
  PLATFORM_QUEUE,
  PlatformJob,
  TracedJob,
  type SendAccountEmailJob,
} from '@bourse/platform';
import { Process, Processor } from '@nestjs/bull';
import type { Job } from 'bull';

/** Verification and reset e-mails, rendered by the platform and sent through the mailer. */
@Processor(PLATFORM_QUEUE)
export class SendAccountEmailProcessor {
  constructor(
    private readonly emails: EmailTokens,
    private readonly mailer: Mailer,
  ) {}

  @Process(PlatformJob.SendAccountEmail)
  @TracedJob()
  async handle(job: Job<SendAccountEmailJob>): Promise<void> {
    // At least once: a repeat carries the same Message-ID (the token's), so relays drop it.
    const email = await this.emails.compose(job.data.tokenId);
    if (email) {
      await this.mailer.send(email.to, email.messageId, email.template, email);
    }
  }
}
