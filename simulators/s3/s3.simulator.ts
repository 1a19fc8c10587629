import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { boundaryOf, parseMultipart, type FormPart } from './multipart';
import {
  expectedPolicySignature,
  expectedRequestSignature,
  parseAmzDate,
  parseCredential,
  type CredentialScope,
  type Credentials,
  type SignableRequest,
} from './sigv4';

export interface S3SimulatorOptions {
  /** Access key pairs the simulator accepts. */
  credentials: Credentials[];
  region: string;
  buckets: string[];
  /** Largest request body read; larger ones are refused (EntityTooLarge) before parsing. */
  maxBodyBytes?: number;
  /**
   * AllowedOrigins of the buckets' one CORS rule (every method the simulator serves, any header);
   * `*` (the default) allows any page, as a dev bucket's rule does; empty: no CORS configuration.
   */
  corsOrigins?: string[];
}

export interface StoredObject {
  body: Buffer;
  contentType: string;
  etag: string;
  lastModified: Date;
}

/** How far a header-signed request's X-Amz-Date may be from the simulator's clock (S3: 15 min). */
const MAX_SKEW_MS = 15 * 60_000;
/** SigV4's longest presigned URL lifetime (7 days). */
const MAX_PRESIGNED_SECONDS = 604_800;
/** Methods the simulated buckets' CORS rule allows. */
const CORS_METHODS = ['GET', 'HEAD', 'PUT', 'POST', 'DELETE'];
const EMPTY_SHA256 = createHash('sha256').update('').digest('hex');

/** A refusal answered as S3 answers it: status and an XML `<Error>` document. */
class S3Error extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, string> = {},
  ) {
    super(message);
  }
}

const escapeXml = (text: string): string => text.replace(/[<>&]/g, (c) => `&#${c.charCodeAt(0)};`);

const signatureMismatch = (): S3Error =>
  new S3Error(
    403,
    'SignatureDoesNotMatch',
    'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
  );

function sameHex(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');

  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * A local S3 for development and tests that, unlike s3rver, checks what S3 checks: SigV4 on every
 * header-signed and presigned request (recomputed with the AWS SDK's own signer), the expiry of
 * presigned URLs and POST policies, and the conditions of a POST policy (`content-length-range`,
 * `eq`, `starts-with`, exact matches, and no unlisted fields). Path-style buckets only; objects
 * live in memory. Refusals carry S3's status codes and XML error bodies.
 */
export class S3Simulator {
  /** Objects by `bucket/key`. */
  readonly objects = new Map<string, StoredObject>();
  /** The simulator's clock; tests move it to expire URLs and policies without waiting. */
  now: () => Date = () => new Date();
  private server?: Server;
  private readonly secrets: Map<string, string>;
  private readonly buckets: Set<string>;
  private readonly maxBodyBytes: number;

  constructor(private readonly options: S3SimulatorOptions) {
    this.secrets = new Map(options.credentials.map((c) => [c.accessKeyId, c.secretAccessKey]));
    this.buckets = new Set(options.buckets);
    this.maxBodyBytes = options.maxBodyBytes ?? 64 * 1024 * 1024;
  }

  async start(port = 0, host = '127.0.0.1'): Promise<string> {
    const server = createServer((req, res) => void this.respond(req, res));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, resolve);
    });

    return this.url;
  }

  /** The endpoint to configure clients with (STORAGE_S3_ENDPOINT). */
  get url(): string {
    const { address, port } = this.server!.address() as AddressInfo;

    return `http://${address}:${port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (server?.listening) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  }

  object(bucket: string, key: string): StoredObject | undefined {
    return this.objects.get(`${bucket}/${key}`);
  }

  private async respond(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomBytes(8).toString('hex').toUpperCase();
    res.setHeader('x-amz-request-id', requestId);
    // From the simulator's clock, as S3's own: the SDK corrects its clock skew from this header.
    res.setHeader('date', this.now().toUTCString());
    try {
      await this.handle(req, res);
    } catch (error) {
      const e =
        error instanceof S3Error
          ? error
          : new S3Error(
              500,
              'InternalError',
              'We encountered an internal error. Please try again.',
            );
      res.statusCode = e.status;
      if (req.method === 'HEAD') {
        res.end();

        return;
      }
      const details = Object.entries(e.details)
        .map(([name, value]) => `<${name}>${escapeXml(value)}</${name}>`)
        .join('');
      res.setHeader('content-type', 'application/xml');
      res.end(
        `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${e.code}</Code><Message>${escapeXml(e.message)}</Message>${details}<RequestId>${requestId}</RequestId></Error>`,
      );
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rawUrl = req.url ?? '/';
    const queryAt = rawUrl.indexOf('?');
    const rawPath = queryAt < 0 ? rawUrl : rawUrl.slice(0, queryAt);
    const [rawBucket = '', ...rawKey] = rawPath.slice(1).split('/');
    const bucket = decodeURIComponent(rawBucket);
    const key = rawKey.map(decodeURIComponent).join('/');
    if (!this.buckets.has(bucket)) {
      throw new S3Error(404, 'NoSuchBucket', 'The specified bucket does not exist', {
        BucketName: bucket,
      });
    }
    if (this.cors(req, res)) {
      return;
    }
    const body = await this.readBody(req);
    const query = new URLSearchParams(queryAt < 0 ? '' : rawUrl.slice(queryAt + 1));

    if (req.method === 'POST' && key === '') {
      await this.postObject(req, res, bucket, body);

      return;
    }
    if (query.has('X-Amz-Signature')) {
      await this.verifyPresigned(req, rawPath, query);
    } else {
      await this.verifyHeaderSigned(req, rawPath, query, body);
    }
    if (key === '') {
      throw new S3Error(501, 'NotImplemented', 'Only object operations are simulated');
    }
    switch (req.method ?? 'GET') {
      case 'PUT':
        if (req.headers['x-amz-copy-source'] !== undefined) {
          this.copy(req, res, bucket, key);

          return;
        }
        this.store(bucket, key, body, req.headers['content-type']);
        res.setHeader('etag', this.object(bucket, key)!.etag);
        res.end();

        return;
      case 'GET':
      case 'HEAD':
        this.read(req, res, bucket, key);

        return;
      case 'DELETE':
        this.objects.delete(`${bucket}/${key}`);
        res.statusCode = 204;
        res.end();

        return;
      default:
        throw new S3Error(405, 'MethodNotAllowed', 'The specified method is not allowed');
    }
  }

  /**
   * The bucket CORS rule, as S3 applies it: a request whose Origin matches gets
   * Access-Control-Allow-Origin (`*` when the rule says `*`); a preflight is answered here (true),
   * and refused with 403 when no rule matches its origin and method.
   */
  private cors(req: IncomingMessage, res: ServerResponse): boolean {
    const origin = req.headers.origin;
    const allowed = this.options.corsOrigins ?? ['*'];
    const rule = allowed.includes('*') ? '*' : allowed.find((o) => o === origin);
    const preflight = req.method === 'OPTIONS';
    const method = preflight ? req.headers['access-control-request-method'] : req.method;
    if (origin === undefined) {
      if (preflight) {
        throw new S3Error(
          400,
          'BadRequest',
          'Insufficient information. Origin request header needed.',
        );
      }

      return false;
    }
    res.setHeader('vary', 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method');
    if (rule === undefined || !CORS_METHODS.includes(String(method))) {
      if (preflight) {
        throw new S3Error(
          403,
          'AccessForbidden',
          "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.",
          { Method: String(method), ResourceType: 'OBJECT' },
        );
      }

      return false;
    }
    res.setHeader('access-control-allow-origin', rule);
    res.setHeader('access-control-allow-methods', CORS_METHODS.join(', '));
    if (!preflight) {
      return false;
    }
    const headers = req.headers['access-control-request-headers'];
    if (headers !== undefined) {
      res.setHeader('access-control-allow-headers', headers);
    }
    res.setHeader('access-control-max-age', '3000');
    res.end();

    return true;
  }

  private async readBody(req: IncomingMessage): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > this.maxBodyBytes) {
        throw new S3Error(
          400,
          'EntityTooLarge',
          'Your proposed upload exceeds the maximum allowed size',
        );
      }
      chunks.push(chunk as Buffer);
    }

    return Buffer.concat(chunks);
  }

  private store(bucket: string, key: string, body: Buffer, contentType?: string): void {
    this.objects.set(`${bucket}/${key}`, {
      body,
      contentType: contentType ?? 'binary/octet-stream',
      etag: `"${createHash('md5').update(body).digest('hex')}"`,
      lastModified: this.now(),
    });
  }

  /** CopyObject within the simulated buckets, with `x-amz-copy-source-if-match`. */
  private copy(req: IncomingMessage, res: ServerResponse, bucket: string, key: string): void {
    const source = decodeURIComponent(String(req.headers['x-amz-copy-source'])).replace(/^\//, '');
    const object = this.objects.get(source);
    if (!object) {
      throw new S3Error(404, 'NoSuchKey', 'The specified key does not exist.', { Key: source });
    }
    const ifMatch = req.headers['x-amz-copy-source-if-match'];
    if (ifMatch !== undefined && ifMatch !== object.etag && `"${ifMatch}"` !== object.etag) {
      throw new S3Error(
        412,
        'PreconditionFailed',
        'At least one of the pre-conditions you specified did not hold',
        {
          Condition: 'x-amz-copy-source-If-Match',
        },
      );
    }
    this.store(bucket, key, object.body, object.contentType);
    const copy = this.object(bucket, key)!;
    res.setHeader('content-type', 'application/xml');
    res.end(
      `<?xml version="1.0" encoding="UTF-8"?>\n<CopyObjectResult><LastModified>${copy.lastModified.toISOString()}</LastModified><ETag>${escapeXml(copy.etag)}</ETag></CopyObjectResult>`,
    );
  }

  private read(req: IncomingMessage, res: ServerResponse, bucket: string, key: string): void {
    const object = this.object(bucket, key);
    if (!object) {
      throw new S3Error(404, 'NoSuchKey', 'The specified key does not exist.', { Key: key });
    }
    let body = object.body;
    const range = /^bytes=(\d*)-(\d*)$/.exec(String(req.headers.range ?? ''));
    if (range && (range[1] || range[2])) {
      const size = object.body.length;
      const start = range[1] ? Number(range[1]) : Math.max(0, size - Number(range[2]));
      const end = range[1] && range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
      if (start >= size || start > end) {
        throw new S3Error(416, 'InvalidRange', 'The requested range is not satisfiable');
      }
      body = object.body.subarray(start, end + 1);
      res.statusCode = 206;
      res.setHeader('content-range', `bytes ${start}-${end}/${size}`);
    }
    res.setHeader('content-type', object.contentType);
    res.setHeader('content-length', body.length);
    res.setHeader('etag', object.etag);
    res.setHeader('last-modified', object.lastModified.toUTCString());
    res.setHeader('accept-ranges', 'bytes');
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  private credentialsFor(scope: CredentialScope, malformed: string): Credentials {
    const secretAccessKey = this.secrets.get(scope.accessKeyId);
    if (secretAccessKey === undefined) {
      throw new S3Error(
        403,
        'InvalidAccessKeyId',
        'The AWS Access Key Id you provided does not exist in our records.',
        { AWSAccessKeyId: scope.accessKeyId },
      );
    }
    if (scope.region !== this.options.region || scope.service !== 's3') {
      throw new S3Error(
        400,
        malformed,
        `The authorization's region or service is wrong; expecting '${this.options.region}' and 's3'`,
      );
    }

    return { accessKeyId: scope.accessKeyId, secretAccessKey };
  }

  /** The request as the client signed it: its path as sent, its query, the signed headers only. */
  private signable(
    req: IncomingMessage,
    rawPath: string,
    query: URLSearchParams,
    signedHeaders: string[],
  ): SignableRequest {
    const parameters: Record<string, string | string[]> = {};
    for (const name of new Set(query.keys())) {
      const values = query.getAll(name);
      parameters[name] = values.length === 1 ? values[0]! : values;
    }
    const headers: Record<string, string> = {};
    for (const name of signedHeaders) {
      const value = req.headers[name];
      if (value !== undefined) {
        headers[name] = Array.isArray(value) ? value.join(',') : value;
      }
    }

    return {
      method: req.method ?? 'GET',
      protocol: 'http:',
      hostname: String(req.headers.host ?? '').replace(/:\d+$/, ''),
      path: rawPath,
      query: parameters,
      headers,
    };
  }

  private async verifyHeaderSigned(
    req: IncomingMessage,
    rawPath: string,
    query: URLSearchParams,
    body: Buffer,
  ): Promise<void> {
    const authorization = req.headers.authorization;
    if (!authorization) {
      throw new S3Error(403, 'AccessDenied', 'Access Denied');
    }
    const m =
      /^AWS4-HMAC-SHA256 Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})$/.exec(
        authorization,
      );
    const scope = m ? parseCredential(m[1]!) : undefined;
    if (!m || !scope) {
      throw new S3Error(
        400,
        'AuthorizationHeaderMalformed',
        'The authorization header is malformed; only AWS4-HMAC-SHA256 is supported.',
      );
    }
    const credentials = this.credentialsFor(scope, 'AuthorizationHeaderMalformed');
    const longDate = String(req.headers['x-amz-date'] ?? '');
    const signedAt = parseAmzDate(longDate);
    if (!signedAt || longDate.slice(0, 8) !== scope.shortDate) {
      throw new S3Error(
        403,
        'AccessDenied',
        'AWS authentication requires a valid X-Amz-Date header',
      );
    }
    if (Math.abs(this.now().getTime() - signedAt.getTime()) > MAX_SKEW_MS) {
      throw new S3Error(
        403,
        'RequestTimeTooSkewed',
        'The difference between the request time and the current time is too large.',
        { RequestTime: longDate, ServerTime: this.now().toISOString() },
      );
    }
    const payloadHash = req.headers['x-amz-content-sha256'];
    if (typeof payloadHash !== 'string') {
      throw new S3Error(
        400,
        'InvalidRequest',
        'Missing required header for this request: x-amz-content-sha256',
      );
    }
    const signedHeaders = m[2]!.split(';');
    const expected = await expectedRequestSignature(
      credentials,
      scope,
      longDate,
      this.signable(req, rawPath, query, signedHeaders),
      signedHeaders,
      payloadHash,
    );
    if (!signedHeaders.includes('host') || !sameHex(expected, m[3]!)) {
      throw signatureMismatch();
    }
    if (/^[0-9a-f]{64}$/.test(payloadHash)) {
      const actual =
        body.length === 0 ? EMPTY_SHA256 : createHash('sha256').update(body).digest('hex');
      if (actual !== payloadHash) {
        throw new S3Error(
          400,
          'XAmzContentSHA256Mismatch',
          "The provided 'x-amz-content-sha256' header does not match what was computed.",
          { ClientComputedContentSHA256: payloadHash, S3ComputedContentSHA256: actual },
        );
      }
    } else if (payloadHash !== 'UNSIGNED-PAYLOAD') {
      // aws-chunked (STREAMING-*) bodies are not simulated; the storage lib sends whole buffers.
      throw new S3Error(
        501,
        'NotImplemented',
        `x-amz-content-sha256 ${payloadHash} is not simulated`,
      );
    }
  }

  private async verifyPresigned(
    req: IncomingMessage,
    rawPath: string,
    query: URLSearchParams,
  ): Promise<void> {
    const malformed = (message: string): S3Error =>
      new S3Error(400, 'AuthorizationQueryParametersError', message);
    if (query.get('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256') {
      throw malformed('X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"');
    }
    const scope = parseCredential(query.get('X-Amz-Credential') ?? '');
    const longDate = query.get('X-Amz-Date') ?? '';
    const signedAt = parseAmzDate(longDate);
    const expires = Number(query.get('X-Amz-Expires'));
    const signedHeaders = (query.get('X-Amz-SignedHeaders') ?? '').split(';');
    if (!scope || !signedAt || longDate.slice(0, 8) !== scope.shortDate) {
      throw malformed('X-Amz-Credential and X-Amz-Date must be well formed and agree on the date');
    }
    if (!Number.isInteger(expires) || expires < 1 || expires > MAX_PRESIGNED_SECONDS) {
      throw malformed('X-Amz-Expires must be between 1 and 604800 seconds');
    }
    const credentials = this.credentialsFor(scope, 'AuthorizationQueryParametersError');
    const expected = await expectedRequestSignature(
      credentials,
      scope,
      longDate,
      this.signable(req, rawPath, query, signedHeaders),
      signedHeaders,
      'UNSIGNED-PAYLOAD', // a presigned URL never signs the body
    );
    if (!signedHeaders.includes('host') || !sameHex(expected, query.get('X-Amz-Signature')!)) {
      throw signatureMismatch();
    }
    const now = this.now();
    if (now.getTime() < signedAt.getTime() - MAX_SKEW_MS) {
      throw new S3Error(403, 'AccessDenied', 'Request is not valid yet');
    }
    const expiresAt = new Date(signedAt.getTime() + expires * 1000);
    if (now > expiresAt) {
      throw new S3Error(403, 'AccessDenied', 'Request has expired', {
        'X-Amz-Expires': String(expires),
        Expires: expiresAt.toISOString(),
        ServerTime: now.toISOString(),
      });
    }
  }

  /** Browser-style POST upload: a signed policy that S3 itself enforces on the form. */
  private async postObject(
    req: IncomingMessage,
    res: ServerResponse,
    bucket: string,
    body: Buffer,
  ): Promise<void> {
    const boundary = boundaryOf(req.headers['content-type']);
    const parts = boundary ? parseMultipart(body, boundary) : undefined;
    if (!parts) {
      throw new S3Error(
        412,
        'PreconditionFailed',
        'Bucket POST must be of the enclosure-type multipart/form-data',
      );
    }
    // S3 reads fields up to the file and ignores what follows it.
    const fileAt = parts.findIndex((part) => part.filename !== undefined || part.name === 'file');
    const file: FormPart | undefined = parts[fileAt];
    if (!file) {
      throw new S3Error(
        400,
        'InvalidArgument',
        'POST requires exactly one file upload per request.',
      );
    }
    const fields = new Map<string, string>();
    for (const part of parts.slice(0, fileAt)) {
      fields.set(part.name.toLowerCase(), part.data.toString('utf8'));
    }
    const required = (name: string): string => {
      const value = fields.get(name.toLowerCase());
      if (value === undefined) {
        throw new S3Error(
          400,
          'InvalidArgument',
          `Bucket POST must contain a field named '${name}'.`,
        );
      }

      return value;
    };
    const policyBase64 = fields.get('policy');
    if (policyBase64 === undefined) {
      throw new S3Error(403, 'AccessDenied', 'Access Denied');
    }
    if (required('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256') {
      throw new S3Error(400, 'InvalidArgument', 'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"');
    }
    const scope = parseCredential(required('X-Amz-Credential'));
    if (!scope || !required('X-Amz-Date').startsWith(scope.shortDate)) {
      throw new S3Error(400, 'InvalidArgument', 'X-Amz-Credential is malformed');
    }
    const credentials = this.credentialsFor(scope, 'InvalidArgument');
    const expected = await expectedPolicySignature(credentials, scope, policyBase64);
    if (!sameHex(expected, required('X-Amz-Signature'))) {
      throw signatureMismatch();
    }
    const key = required('key').replaceAll('${filename}', file.filename ?? '');
    fields.set('key', key);
    fields.set('bucket', bucket);
    this.checkPolicy(policyBase64, fields, file.data.length);
    this.store(bucket, key, file.data, fields.get('content-type'));
    const status = fields.get('success_action_status');
    res.statusCode = status === '200' || status === '201' ? Number(status) : 204;
    res.setHeader('etag', this.object(bucket, key)!.etag);
    res.setHeader('location', `${this.url}/${bucket}/${encodeURIComponent(key)}`);
    res.end();
  }

  private checkPolicy(policyBase64: string, fields: Map<string, string>, size: number): void {
    let policy: { expiration?: unknown; conditions?: unknown };
    try {
      policy = JSON.parse(Buffer.from(policyBase64, 'base64').toString('utf8')) as typeof policy;
    } catch {
      throw new S3Error(400, 'InvalidPolicyDocument', 'Invalid Policy: Invalid JSON.');
    }
    const expiration = typeof policy.expiration === 'string' ? Date.parse(policy.expiration) : NaN;
    if (Number.isNaN(expiration) || !Array.isArray(policy.conditions)) {
      throw new S3Error(
        400,
        'InvalidPolicyDocument',
        'Invalid Policy: expiration and conditions are required.',
      );
    }
    const denied = (reason: string): S3Error =>
      new S3Error(403, 'AccessDenied', `Invalid according to Policy: ${reason}`);
    if (this.now().getTime() > expiration) {
      throw denied('Policy expired.');
    }
    const covered = new Set(['policy', 'x-amz-signature', 'file', 'bucket']);
    const field = (name: unknown): string => {
      if (typeof name !== 'string' || !name.startsWith('$')) {
        throw new S3Error(
          400,
          'InvalidPolicyDocument',
          `Invalid Policy: bad field ${String(name)}`,
        );
      }
      covered.add(name.slice(1).toLowerCase());

      return fields.get(name.slice(1).toLowerCase()) ?? '';
    };
    for (const condition of policy.conditions as unknown[]) {
      const failed = (): S3Error => denied(`Policy Condition failed: ${JSON.stringify(condition)}`);
      if (Array.isArray(condition)) {
        const [op, a, b] = condition as unknown[];
        if (op === 'content-length-range') {
          if (size > Number(b)) {
            throw new S3Error(
              400,
              'EntityTooLarge',
              'Your proposed upload exceeds the maximum allowed size',
              {
                ProposedSize: String(size),
                MaxSizeAllowed: String(b),
              },
            );
          }
          if (size < Number(a)) {
            throw new S3Error(
              400,
              'EntityTooSmall',
              'Your proposed upload is smaller than the minimum allowed size',
              {
                ProposedSize: String(size),
                MinSizeAllowed: String(a),
              },
            );
          }
        } else if (op === 'eq') {
          if (field(a) !== b) {
            throw failed();
          }
        } else if (op === 'starts-with') {
          if (typeof b !== 'string' || !field(a).startsWith(b)) {
            throw failed();
          }
        } else {
          throw new S3Error(
            400,
            'InvalidPolicyDocument',
            `Invalid Policy: unknown condition ${String(op)}`,
          );
        }
      } else if (condition && typeof condition === 'object') {
        for (const [name, value] of Object.entries(condition)) {
          if (field(`$${name}`) !== value) {
            throw failed();
          }
        }
      } else {
        throw new S3Error(400, 'InvalidPolicyDocument', 'Invalid Policy: bad condition');
      }
    }
    const extra = [...fields.keys()].filter(
      (name) => !covered.has(name) && !name.startsWith('x-ignore-'),
    );
    if (extra.length > 0) {
      throw denied(`Extra input fields: ${extra.join(', ')}`);
    }
  }
}
