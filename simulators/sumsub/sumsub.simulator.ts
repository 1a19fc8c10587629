import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { boundaryOf, parseMultipart } from '../s3/multipart';

/** The digests `X-Payload-Digest-Alg` may name, as Node hash names. */
const DIGESTS = { HMAC_SHA1_HEX: 'sha1', HMAC_SHA256_HEX: 'sha256', HMAC_SHA512_HEX: 'sha512' };
export type SimulatorDigestAlgorithm = keyof typeof DIGESTS;

export interface SumsubSimulatorOptions {
  /** The App Token callers present in `X-App-Token`. */
  appToken: string;
  /** The secret key `X-App-Access-Sig` is computed with. */
  secretKey: string;
  /** The webhook secret `X-Payload-Digest` is computed with. */
  webhookSecret: string;
  /** Where review results are POSTed; none: they are only recorded. */
  webhookUrl?: string;
  /** How long a review takes after `status/pending`. */
  reviewDelayMs?: number;
  digestAlgorithm?: SimulatorDigestAlgorithm;
}

/** A review result as Sumsub sends it in `reviewResult`. */
export interface SimulatedOutcome {
  reviewAnswer: 'GREEN' | 'RED';
  reviewRejectType?: 'RETRY' | 'FINAL';
  rejectLabels?: string[];
}

interface Applicant {
  id: string;
  createdAt: string;
  key: string;
  clientId: string;
  inspectionId: string;
  externalUserId: string;
  levelName: string;
  fixedInfo: Record<string, unknown>;
  type: 'individual';
  review: { reviewId: string; reviewStatus: string; reviewResult?: SimulatedOutcome };
  idDocs: {
    imageId: string;
    idDocType: string;
    idDocSubType?: string;
    country: string;
    size: number;
  }[];
}

/**
 * Outcomes by the applicant's last name, so a demo or a test picks one by who it types in:
 * anything else is GREEN (or what `POST /_simulator/outcomes` set for the external user id);
 * null: no result is sent (a manual check at the vendor that never ends).
 */
export const LAST_NAME_OUTCOMES: Record<string, SimulatedOutcome | null> = {
  Pending: null,
  Retry: {
    reviewAnswer: 'RED',
    reviewRejectType: 'RETRY',
    rejectLabels: ['UNSATISFACTORY_PHOTOS'],
  },
  Fraud: { reviewAnswer: 'RED', reviewRejectType: 'FINAL', rejectLabels: ['FORGERY'] },
};

class SumsubError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const TS_SKEW_SECONDS = 300;

/**
 * A local Sumsub for development, tests and demos, on its API's wire shape: App Token requests
 * signed with `X-App-Access-Sig` (refused unsigned, mis-signed or outside ±5 minutes), applicants
 * created at a level (409 for a known external user id), identity documents as multipart
 * `metadata` + `content` (answering `X-Image-Id`), `status/pending`, after which the review
 * result is POSTed as an `applicantReviewed` webhook signed with `X-Payload-Digest`. Outcomes come
 * from `outcomes` (by external user id, set over `POST /_simulator/outcomes`) or the last name
 * (LAST_NAME_OUTCOMES); `POST /_simulator/applicants/{id}/review` sends a result at any time
 * (a late RED). In memory.
 */
export class SumsubSimulator {
  readonly applicants = new Map<string, Applicant>();
  readonly outcomes = new Map<string, SimulatedOutcome | null>();
  /** Every webhook body sent, in order. */
  readonly sent: Record<string, unknown>[] = [];
  private server?: Server;
  private readonly sending = new Set<Promise<void>>();

  constructor(readonly options: SumsubSimulatorOptions) {}

  get url(): string {
    const address = this.server?.address() as AddressInfo | undefined;
    if (!address) {
      throw new Error('the Sumsub simulator is not listening');
    }

    return `http://127.0.0.1:${address.port}`;
  }

  async start(port = 0, host = '127.0.0.1'): Promise<string> {
    this.server = createServer((req, res) => void this.serve(req, res));
    await new Promise<void>((resolve) => this.server!.listen(port, host, resolve));

    return this.url;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
    await this.settled();
  }

  /** Resolves once every webhook in flight has been answered (or given up). */
  async settled(): Promise<void> {
    while (this.sending.size > 0) {
      await Promise.all([...this.sending]);
    }
  }

  byExternalUserId(externalUserId: string): Applicant | undefined {
    return [...this.applicants.values()].find((a) => a.externalUserId === externalUserId);
  }

  /** Sends a review result for the applicant now (a late RED, a second opinion). */
  review(applicant: Applicant, outcome: SimulatedOutcome, delayMs = 0): void {
    const sending = this.deliver(applicant, outcome, delayMs).finally(() =>
      this.sending.delete(sending),
    );
    this.sending.add(sending);
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) {
      chunks.push(chunk as Buffer);
    }
    const body = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', 'http://sumsub.local');
    try {
      const answer = url.pathname.startsWith('/_simulator/')
        ? this.control(req.method ?? 'GET', url, body)
        : this.api(req, url, body, res);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    } catch (error) {
      const status = error instanceof SumsubError ? error.status : 500;
      res.writeHead(status, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          description: (error as Error).message,
          code: status,
          correlationId: randomUUID(),
        }),
      );
    }
  }

  private authenticate(req: IncomingMessage, url: URL, body: Buffer): void {
    const token = req.headers['x-app-token'];
    const ts = req.headers['x-app-access-ts'];
    const sig = req.headers['x-app-access-sig'];
    if (token !== this.options.appToken) {
      throw new SumsubError(401, 'App token is invalid');
    }
    if (typeof ts !== 'string' || typeof sig !== 'string' || !/^\d+$/.test(ts)) {
      throw new SumsubError(401, 'Request signature is missing');
    }
    if (Math.abs(Date.now() / 1000 - Number(ts)) > TS_SKEW_SECONDS) {
      throw new SumsubError(401, 'Request timestamp is out of range');
    }
    const expected = createHmac('sha256', this.options.secretKey)
      .update(ts + (req.method ?? '').toUpperCase() + url.pathname + url.search)
      .update(body)
      .digest();
    const given = Buffer.from(sig, 'hex');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new SumsubError(401, 'Request signature mismatch');
    }
  }

  private api(req: IncomingMessage, url: URL, body: Buffer, res: ServerResponse): unknown {
    this.authenticate(req, url, body);
    const method = req.method ?? 'GET';
    const path = url.pathname;
    if (method === 'POST' && path === '/resources/applicants') {
      return this.createApplicant(url, body);
    }
    const byExternal = /^\/resources\/applicants\/-;externalUserId=([^/]+)\/one$/.exec(path);
    if (method === 'GET' && byExternal) {
      const found = this.byExternalUserId(decodeURIComponent(byExternal[1]!));
      if (!found) {
        throw new SumsubError(404, 'Applicant not found');
      }

      return found;
    }
    const action = /^\/resources\/applicants\/([^/]+)\/(info\/idDoc|status\/pending)$/.exec(path);
    const applicant = action && this.applicants.get(action[1]!);
    if (!action || method !== 'POST') {
      throw new SumsubError(404, `No such resource: ${method} ${path}`);
    }
    if (!applicant) {
      throw new SumsubError(404, 'Applicant not found');
    }
    if (action[2] === 'info/idDoc') {
      return this.addDocument(applicant, req, body, res);
    }
    applicant.review.reviewStatus = 'pending';
    const outcome = this.outcomeOf(applicant);
    if (outcome) {
      this.review(applicant, outcome, this.options.reviewDelayMs ?? 0);
    }

    return { ok: 1 };
  }

  private createApplicant(url: URL, body: Buffer): Applicant {
    const levelName = url.searchParams.get('levelName');
    if (!levelName) {
      throw new SumsubError(400, 'levelName is required');
    }
    let input: { externalUserId?: unknown; fixedInfo?: Record<string, unknown> };
    try {
      input = JSON.parse(body.toString('utf8')) as typeof input;
    } catch {
      throw new SumsubError(400, 'Body is not JSON');
    }
    if (typeof input.externalUserId !== 'string' || !input.externalUserId) {
      throw new SumsubError(400, 'externalUserId is required');
    }
    const existing = this.byExternalUserId(input.externalUserId);
    if (existing) {
      throw new SumsubError(
        409,
        `Applicant with external user id '${input.externalUserId}' already exists: ${existing.id}`,
      );
    }
    const applicant: Applicant = {
      id: randomBytes(12).toString('hex'),
      createdAt: new Date().toISOString().replace('T', ' ').slice(0, 19),
      key: 'SIMULATORKEY',
      clientId: 'bourse-simulator',
      inspectionId: randomBytes(12).toString('hex'),
      externalUserId: input.externalUserId,
      levelName,
      fixedInfo: input.fixedInfo ?? {},
      type: 'individual',
      review: { reviewId: randomBytes(3).toString('hex'), reviewStatus: 'init' },
      idDocs: [],
    };
    this.applicants.set(applicant.id, applicant);

    return applicant;
  }

  private addDocument(
    applicant: Applicant,
    req: IncomingMessage,
    body: Buffer,
    res: ServerResponse,
  ): unknown {
    const boundary = boundaryOf(req.headers['content-type']);
    const parts = boundary ? parseMultipart(body, boundary) : undefined;
    const metadataPart = parts?.find((p) => p.name === 'metadata');
    const content = parts?.find((p) => p.name === 'content');
    if (!metadataPart || !content?.filename || content.data.length === 0) {
      throw new SumsubError(400, 'Expected multipart parts metadata and content (a file)');
    }
    const metadata = JSON.parse(metadataPart.data.toString('utf8')) as {
      idDocType?: string;
      idDocSubType?: string;
      country?: string;
    };
    if (!metadata.idDocType || !metadata.country) {
      throw new SumsubError(400, 'metadata needs idDocType and country');
    }
    const imageId = String(Math.floor(Math.random() * 1e9));
    applicant.idDocs.push({
      imageId,
      idDocType: metadata.idDocType,
      idDocSubType: metadata.idDocSubType,
      country: metadata.country,
      size: content.data.length,
    });
    res.setHeader('X-Image-Id', imageId);

    return {
      idDocType: metadata.idDocType,
      country: metadata.country,
      ...(req.headers['x-return-doc-warnings'] === 'true' ? { warnings: [] } : {}),
    };
  }

  private outcomeOf(applicant: Applicant): SimulatedOutcome | null {
    const lastName = String(applicant.fixedInfo.lastName ?? '');
    const set = this.outcomes.get(applicant.externalUserId);
    if (set !== undefined) {
      return set;
    }

    return lastName in LAST_NAME_OUTCOMES
      ? LAST_NAME_OUTCOMES[lastName]!
      : { reviewAnswer: 'GREEN' };
  }

  /** The simulator's own controls (no signature: a local test tool). */
  private control(method: string, url: URL, body: Buffer): unknown {
    const input =
      body.length > 0 ? (JSON.parse(body.toString('utf8')) as Record<string, unknown>) : {};
    if (method === 'POST' && url.pathname === '/_simulator/outcomes') {
      this.outcomes.set(
        String(input.externalUserId),
        (input.outcome ?? null) as SimulatedOutcome | null,
      );

      return { ok: 1 };
    }
    const review = /^\/_simulator\/applicants\/([^/]+)\/review$/.exec(url.pathname);
    const applicant = review && this.applicants.get(review[1]!);
    if (method === 'POST' && applicant) {
      this.review(applicant, input as unknown as SimulatedOutcome);

      return { ok: 1 };
    }
    if (method === 'GET' && url.pathname === '/_simulator/applicants') {
      return [...this.applicants.values()];
    }
    throw new SumsubError(404, `No such control: ${method} ${url.pathname}`);
  }

  /** POSTs the `applicantReviewed` webhook, retrying a refused or failed delivery a few times. */
  private async deliver(applicant: Applicant, outcome: SimulatedOutcome, delayMs: number) {
    if (delayMs > 0) {
      await sleep(delayMs);
    }
    applicant.review = { ...applicant.review, reviewStatus: 'completed', reviewResult: outcome };
    const payload = {
      applicantId: applicant.id,
      inspectionId: applicant.inspectionId,
      correlationId: randomUUID(),
      levelName: applicant.levelName,
      externalUserId: applicant.externalUserId,
      type: 'applicantReviewed',
      sandboxMode: true,
      reviewStatus: 'completed',
      createdAtMs: new Date().toISOString().replace('T', ' ').replace('Z', ''),
      clientId: applicant.clientId,
      reviewResult: outcome,
    };
    this.sent.push(payload);
    if (!this.options.webhookUrl) {
      return;
    }
    const body = JSON.stringify(payload);
    const algorithm = this.options.digestAlgorithm ?? 'HMAC_SHA256_HEX';
    const digest = createHmac(DIGESTS[algorithm], this.options.webhookSecret)
      .update(body)
      .digest('hex');
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        const response = await fetch(this.options.webhookUrl, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-payload-digest': digest,
            'x-payload-digest-alg': algorithm,
          },
          body,
        });
        await response.arrayBuffer();
        if (response.ok) {
          return;
        }
      } catch {
        // The endpoint is down: try again, as Sumsub does.
      }
      await sleep(200 * 2 ** attempt);
    }
  }
}
