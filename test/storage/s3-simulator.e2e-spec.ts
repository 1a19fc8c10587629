import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { S3Simulator } from '../../simulators/s3/s3.simulator';

const BUCKET = 'sim-bucket';
const REGION = 'us-east-1';
const CREDENTIALS = { accessKeyId: 'sim-access-key', secretAccessKey: 'sim-secret-key' };

const s3Error = async (response: Response): Promise<{ code?: string; message?: string }> => {
  const xml = await response.text();

  return {
    code: /<Code>([^<]*)<\/Code>/.exec(xml)?.[1],
    message: /<Message>([^<]*)<\/Message>/.exec(xml)?.[1],
  };
};

describe('S3 simulator: header-signed and presigned requests from the AWS SDK', () => {
  let s3: S3Simulator;
  let client: S3Client;

  beforeAll(async () => {
    s3 = new S3Simulator({ credentials: [CREDENTIALS], region: REGION, buckets: [BUCKET] });
    await s3.start();
    client = new S3Client({
      endpoint: s3.url,
      region: REGION,
      forcePathStyle: true,
      credentials: CREDENTIALS,
    });
  });
  afterAll(async () => {
    client?.destroy();
    await s3?.stop();
  });
  afterEach(() => {
    s3.now = () => new Date();
  });

  it('PUT, HEAD, ranged GET, COPY and DELETE signed by the SDK, with keys needing escapes', async () => {
    const key = 'dir with space/ünïcode+plus.txt';
    await client.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: key,
        Body: Buffer.from('hello world'),
        ContentType: 'text/plain',
      }),
    );
    const head = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(head).toMatchObject({ ContentLength: 11, ContentType: 'text/plain' });

    const ranged = await client.send(
      new GetObjectCommand({ Bucket: BUCKET, Key: key, Range: 'bytes=6-' }),
    );
    expect(await ranged.Body!.transformToString()).toBe('world');

    await expect(
      client.send(
        new CopyObjectCommand({
          Bucket: BUCKET,
          Key: 'copy',
          CopySource: `${BUCKET}/${encodeURIComponent(key)}`,
          CopySourceIfMatch: '"not-the-etag"',
        }),
      ),
    ).rejects.toMatchObject({ $metadata: { httpStatusCode: 412 } });
    await client.send(
      new CopyObjectCommand({
        Bucket: BUCKET,
        Key: 'copy',
        CopySource: `${BUCKET}/${encodeURIComponent(key)}`,
        CopySourceIfMatch: head.ETag,
      }),
    );
    expect(s3.object(BUCKET, 'copy')?.body.toString()).toBe('hello world');

    await client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key }));
    await expect(
      client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key })),
    ).rejects.toMatchObject({
      name: 'NoSuchKey',
      $metadata: { httpStatusCode: 404 },
    });
  });

  it('refuses a header-signed request from an unknown key, whose body was swapped, or too old', async () => {
    const stranger = new S3Client({
      endpoint: s3.url,
      region: REGION,
      forcePathStyle: true,
      credentials: { accessKeyId: 'nobody', secretAccessKey: 'x' },
    });
    await expect(
      stranger.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'k', Body: Buffer.from('x') })),
    ).rejects.toMatchObject({ name: 'InvalidAccessKeyId' });
    stranger.destroy();

    // A correctly signed PUT whose body is replaced in flight: the signature still matches (it
    // covers the declared hash), the body's SHA-256 does not.
    const url = new URL(`${s3.url}/${BUCKET}/swapped`);
    const signer = new SignatureV4({
      credentials: CREDENTIALS,
      region: REGION,
      service: 's3',
      sha256: Sha256,
      uriEscapePath: false,
    });
    const request = {
      method: 'PUT',
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path: url.pathname,
      query: {},
      headers: { host: url.host },
      body: 'original',
    };
    const { headers } = await signer.sign(request);
    const send = (signed: Record<string, string>, body: string) =>
      fetch(url, {
        method: 'PUT',
        headers: Object.fromEntries(Object.entries(signed).filter(([n]) => n !== 'host')),
        body,
      });
    const swapped = await send(headers, 'tampered');
    expect(swapped.status).toBe(400);
    expect((await s3Error(swapped)).code).toBe('XAmzContentSHA256Mismatch');
    expect(s3.object(BUCKET, 'swapped')).toBeUndefined();

    // S3 allows 15 minutes between X-Amz-Date and its clock.
    const late = await signer.sign(
      { ...request, body: 'original' },
      { signingDate: new Date(Date.now() - 16 * 60_000) },
    );
    const skewed = await send(late.headers, 'original');
    expect(skewed.status).toBe(403);
    expect((await s3Error(skewed)).code).toBe('RequestTimeTooSkewed');
    expect((await send(headers, 'original')).status).toBe(200);
    expect(s3.object(BUCKET, 'swapped')?.body.toString()).toBe('original');
  });

  it('presigned PUT and GET: accepted while valid, refused once expired or edited', async () => {
    const put = await getSignedUrl(
      client,
      new PutObjectCommand({ Bucket: BUCKET, Key: 'presigned', ContentType: 'text/csv' }),
      { expiresIn: 60 },
    );
    // Content-Type is not signed in a presigned PUT (the SDK leaves it unsignable), so any goes.
    expect(
      (await fetch(put, { method: 'PUT', body: 'a,b\n', headers: { 'content-type': 'text/csv' } }))
        .status,
    ).toBe(200);
    const get = await getSignedUrl(
      client,
      new GetObjectCommand({ Bucket: BUCKET, Key: 'presigned' }),
      {
        expiresIn: 60,
      },
    );
    const read = await fetch(get);
    expect(read.status).toBe(200);
    expect(await read.text()).toBe('a,b\n');

    const edited = new URL(get);
    edited.pathname = `/${BUCKET}/other`;
    const refused = await fetch(edited);
    expect(refused.status).toBe(403);
    expect((await s3Error(refused)).code).toBe('SignatureDoesNotMatch');

    s3.now = () => new Date(Date.now() + 61_000);
    for (const [url, method] of [
      [put, 'PUT'],
      [get, 'GET'],
    ] as const) {
      const expired = await fetch(url, { method, body: method === 'PUT' ? 'x' : undefined });
      expect(expired.status).toBe(403);
      expect(await s3Error(expired)).toEqual({
        code: 'AccessDenied',
        message: 'Request has expired',
      });
    }
  });

  it('unsigned requests, unknown buckets and missing keys get S3 errors', async () => {
    const anonymous = await fetch(`${s3.url}/${BUCKET}/presigned`);
    expect(anonymous.status).toBe(403);
    expect((await s3Error(anonymous)).code).toBe('AccessDenied');

    const noBucket = await fetch(`${s3.url}/elsewhere/key`);
    expect(noBucket.status).toBe(404);
    expect((await s3Error(noBucket)).code).toBe('NoSuchBucket');

    const missing = await fetch(
      await getSignedUrl(client, new GetObjectCommand({ Bucket: BUCKET, Key: 'absent' }), {
        expiresIn: 60,
      }),
    );
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toBe('application/xml');
    expect((await s3Error(missing)).code).toBe('NoSuchKey');
  });

  it('answers CORS as a bucket with one CORS rule: preflights, Allow-Origin, refusals', async () => {
    const ruled = new S3Simulator({
      credentials: [CREDENTIALS],
      region: REGION,
      buckets: [BUCKET],
      corsOrigins: ['http://app.test'],
    });
    await ruled.start();
    try {
      const preflight = await fetch(`${ruled.url}/${BUCKET}`, {
        method: 'OPTIONS',
        headers: {
          origin: 'http://app.test',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type',
        },
      });
      expect(preflight.status).toBe(200);
      expect(Object.fromEntries(preflight.headers)).toMatchObject({
        'access-control-allow-origin': 'http://app.test',
        'access-control-allow-methods': 'GET, HEAD, PUT, POST, DELETE',
        'access-control-allow-headers': 'content-type',
        'access-control-max-age': '3000',
      });

      const foreign = await fetch(`${ruled.url}/${BUCKET}`, {
        method: 'OPTIONS',
        headers: { origin: 'http://evil.test', 'access-control-request-method': 'POST' },
      });
      expect(foreign.status).toBe(403);
      expect((await s3Error(foreign)).code).toBe('AccessForbidden');
      const noOrigin = await fetch(`${ruled.url}/${BUCKET}`, { method: 'OPTIONS' });
      expect(noOrigin.status).toBe(400);

      // The actual request carries Allow-Origin even when S3 refuses it, so the page can read why.
      const post = await fetch(`${ruled.url}/${BUCKET}`, {
        method: 'POST',
        headers: { origin: 'http://app.test' },
        body: new FormData(),
      });
      expect(post.status).toBe(400);
      expect(post.headers.get('access-control-allow-origin')).toBe('http://app.test');
      const unlisted = await fetch(`${ruled.url}/${BUCKET}`, {
        method: 'POST',
        headers: { origin: 'http://evil.test' },
        body: new FormData(),
      });
      expect(unlisted.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await ruled.stop();
    }

    const open = await fetch(`${s3.url}/${BUCKET}`, {
      method: 'OPTIONS',
      headers: { origin: 'http://anywhere.test', 'access-control-request-method': 'PUT' },
    });
    expect(open.headers.get('access-control-allow-origin')).toBe('*');
  });
});
