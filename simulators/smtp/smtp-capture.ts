import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { readMime } from './mime';

/** One message as the relay received it. */
export interface CapturedEmail {
  from: string;
  to: string[];
  subject: string;
  messageId: string;
  headers: Map<string, string>;
  text?: string;
  html?: string;
  raw: string;
}

type Listener = (email: CapturedEmail) => void;

/**
 * A local SMTP relay that keeps what it is sent instead of delivering it: the tests' and
 * `npm start`'s mail server. Plain SMTP without authentication, as a relay on loopback is.
 */
export class SmtpCapture {
  readonly messages: CapturedEmail[] = [];
  private readonly listeners = new Set<Listener>();
  private readonly server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData: (stream, session, done) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (this.refusals > 0) {
          this.refusals -= 1;
          done(Object.assign(new Error('Mailbox busy, try again later'), { responseCode: 451 }));

          return;
        }
        this.capture(
          Buffer.concat(chunks).toString('utf8'),
          session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          session.envelope.rcptTo.map((rcpt) => rcpt.address),
        );
        done();
      });
    },
  });
  private address?: AddressInfo;
  private refusals = 0;

  /** `keep: false` (a long-running relay) only tells listeners, so memory does not grow. */
  constructor(private readonly options: { keep: boolean } = { keep: true }) {}

  async start(port = 0, host = '127.0.0.1'): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve());
    });
    this.address = this.server.server.address() as AddressInfo;

    return this.url;
  }

  get url(): string {
    return `smtp://${this.address!.address}:${this.address!.port}`;
  }

  /** Calls `listener` with every message received from now on; returns its removal. */
  onMessage(listener: Listener): () => void {
    this.listeners.add(listener);

    return () => this.listeners.delete(listener);
  }

  /** Answers the next `count` messages with a temporary failure (451), as a busy relay does. */
  refuse(count: number): void {
    this.refusals = count;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private capture(raw: string, from: string, to: string[]): void {
    const { headers, bodies } = readMime(raw);
    const email: CapturedEmail = {
      from,
      to,
      subject: headers.get('subject') ?? '',
      messageId: headers.get('message-id') ?? '',
      headers,
      text: bodies.get('text/plain'),
      html: bodies.get('text/html'),
      raw,
    };
    if (this.options.keep) {
      this.messages.push(email);
    }
    this.listeners.forEach((listener) => listener(email));
  }
}
