import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import twilio from 'twilio';

/** An SMS the simulator accepted, with the statuses it reported so far. */
export interface SimulatedSms {
  sid: string;
  from: string;
  to: string;
  body: string;
  statusCallback?: string;
  status: string;
}

/** A status callback the simulator posted: what it signed and what the receiver answered. */
export interface SentCallback {
  url: string;
  params: Record<string, string>;
  signature: string;
  answer: number;
}

export interface TwilioSimulatorOptions {
  accountSid: string;
  authToken: string;
  /** Pause before each status callback (Twilio's come seconds apart; default 20 ms). */
  callbackDelayMs?: number;
  /**
   * Posts callbacks to this origin instead of the StatusCallback URL's own, as a load balancer
   * in front of the api would; the signature still covers the URL as given.
   */
  callbackOrigin?: string;
  /** Called with each message accepted and each callback sent; then neither is kept (a long run). */
  onMessage?: (sms: SimulatedSms) => void;
  onCallback?: (callback: SentCallback) => void;
}

const API_VERSION = '2010-04-01';
/** Twilio's E.164 check: a plus, a country code and at most 15 digits in all. */
const E164 = /^\+[1-9]\d{6,14}$/;

/**
 * Twilio's Messages API as its REST API answers it: `POST /2010-04-01/Accounts/{AccountSid}/
 * Messages.json` with HTTP Basic auth (AccountSid:AuthToken; 401 with error 20003 otherwise),
 * form parameters To, From, Body and StatusCallback, a 201 message resource in JSON, Twilio's
 * error JSON (`code`, `message`, `more_info`, `status`) for a bad request. Each accepted message
 * then reports queued → sent → delivered (or undelivered with ErrorCode 30003 for a number
 * `unreachable` was told about) to its StatusCallback, form-encoded and signed with
 * `X-Twilio-Signature` by the SDK's own signer (HMAC-SHA1 of the URL and the sorted parameters).
 */
export class TwilioSimulator {
  readonly messages: SimulatedSms[] = [];
  readonly callbacks: SentCallback[] = [];
  private authToken: string;
  private readonly refused = new Set<string>();
  private readonly unreachables = new Set<string>();
  private readonly pending = new Set<Promise<void>>();
  private readonly server: Server = createServer((req, res) => void this.handle(req, res));

  constructor(readonly options: TwilioSimulatorOptions) {
    this.authToken = options.authToken;
  }

  /** The account's auth token changed (rotated in the console): the old one is refused. */
  rotateAuthToken(authToken: string): void {
    this.authToken = authToken;
  }

  /** Twilio refuses this To number as not a valid phone number (error 21211). */
  refuseNumber(to: string): void {
    this.refused.add(to);
  }

  /** Messages to this number are sent but never delivered (status undelivered, 30003). */
  unreachable(to: string): void {
    this.unreachables.add(to);
  }

  async start(port = 0, host = '127.0.0.1'): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve());
    });

    return this.url;
  }

  get url(): string {
    const { address, port } = this.server.address() as AddressInfo;

    return `http://${address}:${port}`;
  }

  /** Stops taking requests, and waits for the callbacks already under way. */
  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await Promise.allSettled([...this.pending]);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) {
      chunks.push(chunk as Buffer);
    }
    const fail = (status: number, code: number, message: string) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          code,
          message,
          more_info: `https://www.twilio.com/docs/errors/${code}`,
          status,
        }),
      );
    };
    const { accountSid } = this.options;
    const path = new URL(req.url ?? '/', 'http://twilio').pathname;
    const messages = `/${API_VERSION}/Accounts/${accountSid}/Messages.json`;
    const expected = `Basic ${Buffer.from(`${accountSid}:${this.authToken}`).toString('base64')}`;
    if (req.headers.authorization !== expected) {
      return fail(401, 20003, 'Authenticate');
    }
    if (req.method !== 'POST' || path !== messages) {
      return fail(404, 20404, `The requested resource ${path} was not found`);
    }
    const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    const to = form.get('To') ?? '';
    const from = form.get('From') ?? '';
    const body = form.get('Body') ?? '';
    const statusCallback = form.get('StatusCallback') ?? undefined;
    if (!to) {
      return fail(400, 21604, "A 'To' phone number is required.");
    }
    if (!E164.test(to) || this.refused.has(to)) {
      return fail(400, 21211, `The 'To' number ${to} is not a valid phone number.`);
    }
    if (!E164.test(from)) {
      return fail(
        400,
        21212,
        `The 'From' number ${from} is not a valid phone number, shortcode, or alphanumeric sender ID.`,
      );
    }
    if (!body) {
      return fail(400, 21602, 'Message body is required.');
    }
    if (body.length > 1600) {
      return fail(400, 21617, 'The concatenated message body exceeds the 1600 character limit.');
    }

    const sid = `SM${randomBytes(16).toString('hex')}`;
    const sms: SimulatedSms = { sid, from, to, body, statusCallback, status: 'queued' };
    if (this.options.onMessage) {
      this.options.onMessage(sms);
    } else {
      this.messages.push(sms);
    }
    const now = new Date().toUTCString().replace('GMT', '+0000');
    res.writeHead(201, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        account_sid: accountSid,
        api_version: API_VERSION,
        body,
        date_created: now,
        date_sent: null,
        date_updated: now,
        direction: 'outbound-api',
        error_code: null,
        error_message: null,
        from,
        messaging_service_sid: null,
        num_media: '0',
        num_segments: String(Math.ceil(body.length / 160)),
        price: null,
        price_unit: 'USD',
        sid,
        status: 'queued',
        subresource_uris: {
          media: `/${API_VERSION}/Accounts/${accountSid}/Messages/${sid}/Media.json`,
        },
        to,
        uri: `/${API_VERSION}/Accounts/${accountSid}/Messages/${sid}.json`,
      }),
    );
    const reported = this.report(sms).finally(() => this.pending.delete(reported));
    this.pending.add(reported);
  }

  /** Posts the message's statuses in order, each after the receiver answered the previous one. */
  private async report(sms: SimulatedSms): Promise<void> {
    const final = this.unreachables.has(sms.to) ? 'undelivered' : 'delivered';
    for (const status of ['queued', 'sent', final]) {
      await sleep(this.options.callbackDelayMs ?? 20);
      sms.status = status;
      if (sms.statusCallback) {
        await this.callback(sms, status);
      }
    }
  }

  private async callback(sms: SimulatedSms, status: string): Promise<void> {
    const url = sms.statusCallback!;
    const params: Record<string, string> = {
      AccountSid: this.options.accountSid,
      ApiVersion: API_VERSION,
      From: sms.from,
      MessageSid: sms.sid,
      MessageStatus: status,
      SmsSid: sms.sid,
      SmsStatus: status,
      To: sms.to,
      ...(status === 'undelivered' ? { ErrorCode: '30003' } : {}),
    };
    const signature = twilio.getExpectedTwilioSignature(this.authToken, url, params);
    const target = this.options.callbackOrigin
      ? new URL(new URL(url).pathname + new URL(url).search, this.options.callbackOrigin)
      : new URL(url);
    let answer = 0;
    try {
      const response = await fetch(target, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-twilio-signature': signature,
          'user-agent': 'TwilioProxy/1.1',
        },
        body: new URLSearchParams(params).toString(),
      });
      answer = response.status;
      await response.arrayBuffer();
    } catch {
      // Unreachable receiver: Twilio drops the callback (it does not retry status callbacks).
    }
    const sent = { url, params, signature, answer };
    if (this.options.onCallback) {
      this.options.onCallback(sent);
    } else {
      this.callbacks.push(sent);
    }
  }
}
