import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { Database, type Tx } from '../database/database';
import { newId } from '../database/ids';
import { OutboxService } from '../queue/outbox.service';
import { PLATFORM_QUEUE, PlatformJob, type SendAccountEmailJob } from '../queue/platform.jobs';
import { InvalidEmailTokenError } from './auth.errors';
import {
  EmailTokenRepository,
  type EmailTokenPurpose,
  type EmailTokenRow,
} from './email-token.repository';
import { IdentityKeys } from './identity-keys';
import { formatToken, hashSecret, parseToken, secretMatches } from './opaque-token';

/** An account e-mail ready for the mailer (the worker sends it through the notifications lib). */
export interface AccountEmail {
  to: string;
  /** The token's id: a message sent again after a lost acknowledgement keeps its Message-ID. */
  messageId: string;
  /** `X-Bourse-Template`: `auth.verify-email`, `auth.reset-password` or `auth.reset-unknown`. */
  template: string;
  subject: string;
  text: string;
  html: string;
}

/**
 * Single-use tokens sent by e-mail. Each is `<id>.<secret>` like a refresh token; the secret is
 * an HMAC of the id (IdentityKeys), its SHA-256 is stored, and the e-mail is an outbox job that
 * carries the id only, so it goes out when the transaction that made the token commits.
 */
@Injectable()
export class EmailTokens {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly db: Database,
    private readonly tokens: EmailTokenRepository,
    private readonly keys: IdentityKeys,
    private readonly outbox: OutboxService,
  ) {}

  /** Seconds to wait before another e-mail of this purpose to the address; 0 when it may go. */
  async waitBeforeNext(tx: Tx, email: string, purpose: EmailTokenPurpose): Promise<number> {
    const since = await this.tokens.secondsSinceLast(tx, email, purpose);
    const gap = this.config.auth.email.resendSeconds;

    return since === null || since >= gap ? 0 : Math.ceil(gap - since);
  }

  /** Makes a token and queues its e-mail; `userId` null for a reset asked for an unknown address. */
  async send(
    tx: Tx,
    input: { purpose: EmailTokenPurpose; userId: string | null; email: string },
  ): Promise<void> {
    const id = newId();
    const { verifyTtlSeconds, resetTtlSeconds } = this.config.auth.email;
    await this.tokens.insert(tx, {
      id,
      purpose: input.purpose,
      userId: input.userId,
      email: input.email,
      secretHash: hashSecret(this.keys.emailTokenSecret(id)),
      ttlSeconds: input.purpose === 'verify_email' ? verifyTtlSeconds : resetTtlSeconds,
    });
    await this.outbox.enqueue<SendAccountEmailJob>(tx, {
      queue: PLATFORM_QUEUE,
      name: PlatformJob.SendAccountEmail,
      jobId: `account-email:${id}`,
      payload: { tokenId: id },
    });
  }

  /**
   * Spends a token of this purpose: its row, once. Unknown, tampered with, spent, expired or of
   * another purpose all get the same answer.
   */
  async redeem(tx: Tx, value: string, purpose: EmailTokenPurpose): Promise<EmailTokenRow> {
    const token = parseToken(value);
    const row = token ? await this.tokens.findById(tx, token.id) : undefined;
    if (
      !token ||
      !row ||
      row.purpose !== purpose ||
      row.userId === null ||
      !secretMatches(token.secret, row.secretHash) ||
      !(await this.tokens.spend(tx, row.id))
    ) {
      throw new InvalidEmailTokenError();
    }

    return row;
  }

  spendAllOf(tx: Tx, userId: string, purpose: EmailTokenPurpose): Promise<void> {
    return this.tokens.spendAllOf(tx, userId, purpose);
  }

  /** The e-mail of a queued token; undefined when it is gone (its user deleted). */
  async compose(tokenId: string): Promise<AccountEmail | undefined> {
    const row = await this.tokens.findById(this.db.manager, tokenId);
    if (!row) {
      return undefined;
    }
    const token = formatToken({ id: row.id, secret: this.keys.emailTokenSecret(row.id) });
    const base = this.config.auth.email.linkUrl;
    const messageId = `<${row.id}@bourse>`;
    if (row.purpose === 'verify_email') {
      const link = `${base}/verify-email?token=${encodeURIComponent(token)}`;

      return {
        to: row.email,
        messageId,
        template: 'auth.verify-email',
        subject: 'Confirm your e-mail address',
        text: `Confirm the address of your Bourse account by opening this link:\n${link}\n\nThe link works once and expires in ${hours(this.config.auth.email.verifyTtlSeconds)}.\n`,
        html: page(
          'Confirm your e-mail address',
          `<p><a href="${link}">Confirm this address</a>. The link works once and expires in ${hours(this.config.auth.email.verifyTtlSeconds)}.</p>`,
        ),
      };
    }
    if (row.userId === null) {
      // Same request, same kind of answer: the address owner learns someone asked.
      return {
        to: row.email,
        messageId,
        template: 'auth.reset-unknown',
        subject: 'Password reset requested',
        text: 'Someone asked to reset the password of a Bourse account with this address, but no account signing in with a password uses it. If it was not you, ignore this message.\n',
        html: page(
          'Password reset requested',
          '<p>Someone asked to reset the password of a Bourse account with this address, but no account signing in with a password uses it. If it was not you, ignore this message.</p>',
        ),
      };
    }
    const link = `${base}/reset-password?token=${encodeURIComponent(token)}`;

    return {
      to: row.email,
      messageId,
      template: 'auth.reset-password',
      subject: 'Reset your password',
      text: `Choose a new password by opening this link:\n${link}\n\nThe link works once and expires in ${hours(this.config.auth.email.resetTtlSeconds)}. Resetting signs you out everywhere. If you did not ask for it, ignore this message.\n`,
      html: page(
        'Reset your password',
        `<p><a href="${link}">Choose a new password</a>. The link works once and expires in ${hours(this.config.auth.email.resetTtlSeconds)}; resetting signs you out everywhere. If you did not ask for it, ignore this message.</p>`,
      ),
    };
  }
}

const hours = (seconds: number): string =>
  seconds % 3600 === 0 ? `${seconds / 3600} h` : `${Math.ceil(seconds / 60)} min`;

// Links are URL-encoded tokens on a configured base: nothing in them needs HTML escaping.
const page = (title: string, body: string): string =>
  `<!doctype html><html><body><h1>${title}</h1>${body}</body></html>`;
