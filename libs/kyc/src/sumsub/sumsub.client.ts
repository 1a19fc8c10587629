import { APP_CONFIG } from '@bourse/platform';
import { Inject, Injectable } from '@nestjs/common';
import { createHmac, randomBytes } from 'node:crypto';
import type { KycAppConfig } from '../kyc.config';
import { KycVendorError } from '../kyc.errors';

/** `X-App-Access-Sig`: hex HMAC-SHA256 of `<ts><METHOD><path with query><body>` under the secret key. */
export function sumsubRequestSignature(
  secretKey: string,
  ts: string,
  method: string,
  pathWithQuery: string,
  body: Buffer | string = '',
): string {
  return createHmac('sha256', secretKey)
    .update(ts + method.toUpperCase() + pathWithQuery)
    .update(body)
    .digest('hex');
}

/** What we read of a Sumsub applicant. */
export interface SumsubApplicant {
  id: string;
  externalUserId: string;
  review?: { reviewStatus?: string };
}

export interface SumsubApplicantInfo {
  externalUserId: string;
  firstName: string;
  lastName: string;
  /** YYYY-MM-DD. */
  dob: string;
  country: string;
}

export interface SumsubDocument {
  idDocType: string;
  /** `FRONT_SIDE`, `BACK_SIDE`, or none for a one-sided document. */
  idDocSubType?: string;
  country: string;
  fileName: string;
  contentType: string;
  content: Buffer;
}

/**
 * Sumsub's applicant API over fetch (Sumsub publishes no Node SDK, only signing examples): App
 * Token authentication (`X-App-Token`, `X-App-Access-Ts`, `X-App-Access-Sig`), create an
 * applicant at a level, add an identity document, ask for the check. At KYC_SUMSUB_API_URL.
 */
@Injectable()
export class SumsubClient {
  constructor(@Inject(APP_CONFIG) private readonly config: KycAppConfig) {}

  /**
   * Creates the applicant of `externalUserId` (our user id); one that exists already (a retried
   * job) is looked up instead of failing.
   */
  async createApplicant(info: SumsubApplicantInfo): Promise<SumsubApplicant> {
    const level = encodeURIComponent(this.config.kyc.sumsub.levelName);
    const response = await this.call(
      'POST',
      `/resources/applicants?levelName=${level}`,
      JSON.stringify({
        externalUserId: info.externalUserId,
        fixedInfo: {
          firstName: info.firstName,
          lastName: info.lastName,
          dob: info.dob,
          country: info.country,
        },
      }),
      'application/json',
    );
    if (response.status === 409) {
      return this.applicantByExternalId(info.externalUserId);
    }

    return this.json<SumsubApplicant>(response, 'create applicant');
  }

  async applicantByExternalId(externalUserId: string): Promise<SumsubApplicant> {
    const response = await this.call(
      'GET',
      `/resources/applicants/-;externalUserId=${encodeURIComponent(externalUserId)}/one`,
    );

    return this.json<SumsubApplicant>(response, 'get applicant');
  }

  /** Adds one document image; answers Sumsub's image id (`X-Image-Id`). */
  async addDocument(applicantId: string, doc: SumsubDocument): Promise<string> {
    const boundary = `----bourse${randomBytes(12).toString('hex')}`;
    const metadata = JSON.stringify({
      idDocType: doc.idDocType,
      ...(doc.idDocSubType ? { idDocSubType: doc.idDocSubType } : {}),
      country: doc.country,
    });
    const body = Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="metadata"\r\n\r\n${metadata}\r\n` +
          `--${boundary}\r\nContent-Disposition: form-data; name="content"; filename="${doc.fileName}"\r\n` +
          `Content-Type: ${doc.contentType}\r\n\r\n`,
      ),
      doc.content,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const response = await this.call(
      'POST',
      `/resources/applicants/${encodeURIComponent(applicantId)}/info/idDoc`,
      body,
      `multipart/form-data; boundary=${boundary}`,
      { 'X-Return-Doc-Warnings': 'true' },
    );
    await this.json(response, 'add document');
    const imageId = response.headers.get('x-image-id');
    if (!imageId) {
      throw new KycVendorError('sumsub', 'add document: no X-Image-Id in the answer');
    }

    return imageId;
  }

  /** Asks Sumsub to review the applicant (`status/pending`); the result comes by webhook. */
  async requestCheck(applicantId: string): Promise<void> {
    const response = await this.call(
      'POST',
      `/resources/applicants/${encodeURIComponent(applicantId)}/status/pending`,
    );
    await this.json(response, 'request check');
  }

  private async call(
    method: string,
    path: string,
    body?: Buffer | string,
    contentType?: string,
    headers: Record<string, string> = {},
  ): Promise<Response> {
    const { apiUrl, appToken, secretKey, timeoutMs } = this.config.kyc.sumsub;
    const ts = Math.floor(Date.now() / 1000).toString();
    try {
      return await fetch(new URL(path, apiUrl), {
        method,
        headers: {
          ...headers,
          accept: 'application/json',
          ...(contentType ? { 'content-type': contentType } : {}),
          'X-App-Token': appToken,
          'X-App-Access-Ts': ts,
          'X-App-Access-Sig': sumsubRequestSignature(secretKey, ts, method, path, body),
        },
        body: typeof body === 'string' ? body : body && new Uint8Array(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new KycVendorError(
        'sumsub',
        `${method} ${path.split('?')[0]}: ${(error as Error).message}`,
      );
    }
  }

  private async json<T>(response: Response, what: string): Promise<T> {
    const text = await response.text();
    if (!response.ok) {
      // Sumsub answers `{ description, code, correlationId }`; no personal data is in it.
      const description = (() => {
        try {
          return String((JSON.parse(text) as { description?: unknown }).description);
        } catch {
          return text.slice(0, 200);
        }
      })();
      throw new KycVendorError('sumsub', `${what}: ${response.status} ${description}`);
    }

    return JSON.parse(text) as T;
  }
}
