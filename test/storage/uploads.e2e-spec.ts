import { S3Client, PutObjectCommand } from '@aws-sdk/client-s3';
import { ApiKeyService, Database, dataSourceOptions, OutboxService } from '@bourse/platform';
import {
  SIMULATOR_CREDENTIALS,
  STORAGE_QUEUE,
  StorageJob,
  StorageModule,
  type SweepPendingJob,
  type UploadPurpose,
} from '@bourse/storage';
import { createHash, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import sharp from 'sharp';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { S3Simulator } from '../../simulators/s3/s3.simulator';
import { signedInUser, type SignedInUser } from '../factories/users';
import { startApi, testConfig, type TestServer } from '../setup/apps';
import { adminQuery, TEST_DB_ENV, testDatabaseUrl } from '../setup/test-env';
import { startWorker } from '../setup/worker';

const BUCKET = 'bourse-test-uploads';
const REGION = 'eu-west-1';
// The sweep expires every old pending upload and the relay takes every outbox row: the api and
// worker of this file get a database and Redis prefix of their own.
const DATABASE = `${process.env[TEST_DB_ENV]}_storage`;

/** The spec's demo purpose: small images, thumbnailed, readable by admins and compliance keys too. */
const DEMO: UploadPurpose = {
  name: 'test.image',
  contentTypes: ['image/png', 'image/jpeg'],
  maxBytes: 256 * 1024,
  readers: { roles: ['admin'], apiKeyScopes: ['compliance'] },
  thumbnail: { maxPixels: 32 },
};

interface Presigned {
  uploadId: string;
  url: string;
  fields: Record<string, string>;
  expiresAt: string;
}

async function waitFor<T>(probe: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > deadline) {
      return value;
    }
    await sleep(50);
  }
}

/** A browser's form upload: the policy's fields (some overridden), then the file. */
function postForm(presigned: Presigned, file: Buffer, overrides: Record<string, string> = {}) {
  const form = new FormData();
  for (const [name, value] of Object.entries({ ...presigned.fields, ...overrides })) {
    form.append(name, value);
  }
  form.append('file', new Blob([new Uint8Array(file)]), 'picture');

  return fetch(presigned.url, { method: 'POST', body: form });
}

const s3Error = async (response: Response): Promise<{ code?: string; message?: string }> => {
  const xml = await response.text();

  return {
    code: /<Code>([^<]*)<\/Code>/.exec(xml)?.[1],
    message: /<Message>([^<]*)<\/Message>/.exec(xml)?.[1],
  };
};

describe('uploads to S3 (the signature-checking simulator)', () => {
  let s3: S3Simulator;
  let api: TestServer;
  let worker: TestServer;
  let owner: SignedInUser;
  let png: Buffer;

  const createUpload = async (
    user: SignedInUser,
    body: Record<string, unknown>,
  ): Promise<Presigned> => {
    const res = await api.request<Presigned>('POST', '/v1/uploads', {
      token: user.accessToken,
      body,
    });
    expect(res.status).toBe(201);

    return res.body;
  };
  const pngUpload = () =>
    createUpload(owner, { purpose: DEMO.name, contentType: 'image/png', size: png.length });

  beforeAll(async () => {
    s3 = new S3Simulator({
      credentials: [SIMULATOR_CREDENTIALS],
      region: REGION,
      buckets: [BUCKET],
    });
    await s3.start();
    const env = {
      DATABASE_URL: testDatabaseUrl(DATABASE),
      REDIS_KEY_PREFIX: `${process.env.REDIS_KEY_PREFIX}-storage`,
      OUTBOX_RELAY_INTERVAL_MS: '20',
      STORAGE_S3_ENDPOINT: s3.url,
      STORAGE_S3_REGION: REGION,
      STORAGE_S3_BUCKET: BUCKET,
    };
    await adminQuery(`CREATE DATABASE ${DATABASE}`);
    const source = new DataSource(
      dataSourceOptions({ ...testConfig(env).database, poolSize: 2 }, { migrations: MIGRATIONS }),
    );
    await source.initialize();
    await source.runMigrations();
    await source.destroy();
    api = await startApi(env, [StorageModule.forPurposes([DEMO])]);
    worker = await startWorker(env);
    owner = await signedInUser(api);
    png = await sharp({
      create: { width: 120, height: 80, channels: 3, background: '#2a6fdb' },
    })
      .png()
      .toBuffer();
  });
  afterAll(async () => {
    await worker?.close();
    await api?.close();
    await s3?.stop();
    await adminQuery(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
  });
  afterEach(() => {
    s3.now = () => new Date();
  });

  it('a good upload completes, is readable by its owner and gets a thumbnail', async () => {
    const presigned = await pngUpload();
    expect(presigned.fields.key).toBe(`incoming/test.image/${owner.id}/${presigned.uploadId}`);
    expect(Date.parse(presigned.expiresAt) - Date.now()).toBeGreaterThan(9 * 60_000);

    const posted = await postForm(presigned, png);
    expect(posted.status).toBe(204);

    const done = await api.request('POST', `/v1/uploads/${presigned.uploadId}/complete`, {
      token: owner.accessToken,
    });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({
      id: presigned.uploadId,
      state: 'verified',
      size: png.length,
      contentType: 'image/png',
      sha256: createHash('sha256').update(png).digest('hex'),
    });
    // Copied out of the client-writable prefix, which is emptied.
    expect(s3.object(BUCKET, presigned.fields.key!)).toBeUndefined();
    expect(s3.object(BUCKET, `files/test.image/${owner.id}/${presigned.uploadId}`)?.body).toEqual(
      png,
    );

    const read = await api.request('GET', `/v1/uploads/${presigned.uploadId}/url`, {
      token: owner.accessToken,
    });
    expect(read.status).toBe(200);
    const original = await fetch(read.body.url);
    expect(original.status).toBe(200);
    expect(Buffer.from(await original.arrayBuffer())).toEqual(png);

    const upload = await waitFor(
      async () =>
        (
          await api.request('GET', `/v1/uploads/${presigned.uploadId}`, {
            token: owner.accessToken,
          })
        ).body,
      (body) => body.thumbnail !== 'pending',
    );
    expect(upload.thumbnail).toBe('ready');
    const thumbUrl = await api.request(
      'GET',
      `/v1/uploads/${presigned.uploadId}/url?variant=thumbnail`,
      {
        token: owner.accessToken,
      },
    );
    expect(thumbUrl.status).toBe(200);
    const thumb = await fetch(thumbUrl.body.url);
    expect(thumb.status).toBe(200);
    expect(thumb.headers.get('content-type')).toBe('image/webp');
    const meta = await sharp(Buffer.from(await thumb.arrayBuffer())).metadata();
    expect(meta).toMatchObject({ format: 'webp', width: 32, height: 21 });
  });

  describe('the simulator refuses what S3 refuses', () => {
    it('a tampered signature, and a policy edited after signing', async () => {
      const presigned = await pngUpload();
      const signature = presigned.fields['X-Amz-Signature']!;
      const tampered = `${signature.slice(0, -1)}${signature.endsWith('0') ? '1' : '0'}`;
      const res = await postForm(presigned, png, { 'X-Amz-Signature': tampered });
      expect(res.status).toBe(403);
      expect(await s3Error(res)).toMatchObject({ code: 'SignatureDoesNotMatch' });

      const policy = JSON.parse(Buffer.from(presigned.fields.Policy!, 'base64').toString());
      policy.conditions = policy.conditions.map((c: unknown) =>
        Array.isArray(c) && c[0] === 'content-length-range'
          ? ['content-length-range', 1, 10 ** 9]
          : c,
      );
      const widened = Buffer.from(JSON.stringify(policy)).toString('base64');
      const res2 = await postForm(presigned, png, { Policy: widened });
      expect(res2.status).toBe(403);
      expect(await s3Error(res2)).toMatchObject({ code: 'SignatureDoesNotMatch' });
      expect(s3.object(BUCKET, presigned.fields.key!)).toBeUndefined();
    });

    it('an expired policy', async () => {
      const presigned = await pngUpload();
      s3.now = () => new Date(Date.parse(presigned.expiresAt) + 1000);
      const res = await postForm(presigned, png);
      expect(res.status).toBe(403);
      expect(await s3Error(res)).toEqual({
        code: 'AccessDenied',
        message: 'Invalid according to Policy: Policy expired.',
      });
    });

    it('a body larger than declared', async () => {
      const presigned = await pngUpload();
      const res = await postForm(presigned, Buffer.concat([png, Buffer.from([0])]));
      expect(res.status).toBe(400);
      expect(await s3Error(res)).toMatchObject({ code: 'EntityTooLarge' });
    });

    it('another content type', async () => {
      const presigned = await pngUpload();
      const res = await postForm(presigned, png, { 'Content-Type': 'image/jpeg' });
      expect(res.status).toBe(403);
      expect(await s3Error(res)).toEqual({
        code: 'AccessDenied',
        message:
          'Invalid according to Policy: Policy Condition failed: ["eq","$Content-Type","image/png"]',
      });
    });

    it('a key outside the upload prefix', async () => {
      const presigned = await pngUpload();
      const res = await postForm(presigned, png, {
        key: `incoming/test.image/${randomUUID()}/${presigned.uploadId}`,
      });
      expect(res.status).toBe(403);
      expect(await s3Error(res)).toMatchObject({ code: 'AccessDenied' });
      expect((await s3Error(await postForm(presigned, png, { key: 'files/x' }))).message).toMatch(
        /^Invalid according to Policy: Policy Condition failed: /,
      );
    });

    it('form fields the policy does not name', async () => {
      const presigned = await pngUpload();
      const res = await postForm(presigned, png, { 'x-amz-meta-owner': 'someone' });
      expect(res.status).toBe(403);
      expect(await s3Error(res)).toEqual({
        code: 'AccessDenied',
        message: 'Invalid according to Policy: Extra input fields: x-amz-meta-owner',
      });
    });

    it('header-signed requests made with the wrong secret', async () => {
      const client = new S3Client({
        endpoint: s3.url,
        region: REGION,
        forcePathStyle: true,
        credentials: {
          accessKeyId: SIMULATOR_CREDENTIALS.accessKeyId,
          secretAccessKey: 'not-the-secret',
        },
      });
      await expect(
        client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'x', Body: Buffer.from('x') })),
      ).rejects.toMatchObject({
        name: 'SignatureDoesNotMatch',
        $metadata: { httpStatusCode: 403 },
      });
      client.destroy();
      expect(s3.object(BUCKET, 'x')).toBeUndefined();
    });

    it('an expired or tampered presigned GET', async () => {
      const presigned = await pngUpload();
      await postForm(presigned, png);
      await api.request('POST', `/v1/uploads/${presigned.uploadId}/complete`, {
        token: owner.accessToken,
      });
      const { body } = await api.request('GET', `/v1/uploads/${presigned.uploadId}/url`, {
        token: owner.accessToken,
      });
      const url = new URL(body.url);
      url.searchParams.set('X-Amz-Expires', '604800');
      const tampered = await fetch(url);
      expect(tampered.status).toBe(403);
      expect(await s3Error(tampered)).toMatchObject({ code: 'SignatureDoesNotMatch' });

      s3.now = () => new Date(Date.parse(body.expiresAt) + 1000);
      const expired = await fetch(body.url);
      expect(expired.status).toBe(403);
      expect(await s3Error(expired)).toEqual({
        code: 'AccessDenied',
        message: 'Request has expired',
      });
    });
  });

  describe('complete', () => {
    it('rejects bytes that are not of the declared type, and deletes them', async () => {
      const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(200, 0x20)]);
      const presigned = await createUpload(owner, {
        purpose: DEMO.name,
        contentType: 'image/png',
        size: pdf.length,
      });
      // S3 cannot see that a PDF sent as image/png is not a PNG: the policy lets it through.
      expect((await postForm(presigned, pdf)).status).toBe(204);
      const res = await api.request('POST', `/v1/uploads/${presigned.uploadId}/complete`, {
        token: owner.accessToken,
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        state: 'rejected',
        rejectReason: 'storage.content_mismatch',
      });
      expect(res.body.sha256).toBeUndefined();
      expect(s3.object(BUCKET, presigned.fields.key!)).toBeUndefined();

      const read = await api.request('GET', `/v1/uploads/${presigned.uploadId}/url`, {
        token: owner.accessToken,
      });
      expect(read.status).toBe(409);
      expect(read.body.code).toBe('storage.not_verified');
    });

    it('rejects an object of another size or stored type, written around the policy', async () => {
      // Whoever holds the bucket's credentials can write the key without the policy's checks.
      const client = new S3Client({
        endpoint: s3.url,
        region: REGION,
        forcePathStyle: true,
        credentials: SIMULATOR_CREDENTIALS,
      });
      try {
        const cases = [
          { body: Buffer.concat([png, Buffer.alloc(10)]), type: 'image/png' },
          { body: png, type: 'image/jpeg' },
        ];
        const reasons = [];
        for (const { body, type } of cases) {
          const presigned = await pngUpload();
          const key = presigned.fields.key!;
          await client.send(
            new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body, ContentType: type }),
          );
          const res = await api.request('POST', `/v1/uploads/${presigned.uploadId}/complete`, {
            token: owner.accessToken,
          });
          expect(res.status).toBe(200);
          expect(res.body.state).toBe('rejected');
          expect(s3.object(BUCKET, key)).toBeUndefined();
          reasons.push(res.body.rejectReason);
        }
        expect(reasons).toEqual(['storage.size_mismatch', 'storage.content_type_mismatch']);
      } finally {
        client.destroy();
      }
    });

    it('settles once when completed twice at the same time', async () => {
      const presigned = await pngUpload();
      await postForm(presigned, png);
      const both = await Promise.all(
        [0, 1].map(() =>
          api.request('POST', `/v1/uploads/${presigned.uploadId}/complete`, {
            token: owner.accessToken,
          }),
        ),
      );
      expect(both.map((r) => [r.status, r.body.state])).toEqual([
        [200, 'verified'],
        [200, 'verified'],
      ]);
      expect(both[0]!.body.sha256).toBe(both[1]!.body.sha256);
      expect(both[0]!.body.settledAt).toBe(both[1]!.body.settledAt);
    });

    it('verifies an image sharp cannot decode, whose thumbnail then fails', async () => {
      // A PNG signature followed by noise: the declared type's magic bytes, not a picture.
      const broken = Buffer.concat([png.subarray(0, 8), Buffer.alloc(100, 0x42)]);
      const presigned = await createUpload(owner, {
        purpose: DEMO.name,
        contentType: 'image/png',
        size: broken.length,
      });
      await postForm(presigned, broken);
      const done = await api.request('POST', `/v1/uploads/${presigned.uploadId}/complete`, {
        token: owner.accessToken,
      });
      expect(done.body).toMatchObject({ state: 'verified', thumbnail: 'pending' });
      const upload = await waitFor(
        async () =>
          (
            await api.request('GET', `/v1/uploads/${presigned.uploadId}`, {
              token: owner.accessToken,
            })
          ).body,
        (body) => body.thumbnail !== 'pending',
      );
      expect(upload.thumbnail).toBe('failed');
      const read = await api.request(
        'GET',
        `/v1/uploads/${presigned.uploadId}/url?variant=thumbnail`,
        {
          token: owner.accessToken,
        },
      );
      expect(read.status).toBe(409);
      expect(read.body.code).toBe('storage.thumbnail_unavailable');
    });

    it('answers 409 while nothing was uploaded, and the upload stays pending', async () => {
      const presigned = await pngUpload();
      const res = await api.request('POST', `/v1/uploads/${presigned.uploadId}/complete`, {
        token: owner.accessToken,
      });
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('storage.object_missing');
      const after = await api.request('GET', `/v1/uploads/${presigned.uploadId}`, {
        token: owner.accessToken,
      });
      expect(after.body.state).toBe('pending');
    });
  });

  it('another user or key gets 404 for the upload and its read URL; the readers its purpose names get them', async () => {
    const presigned = await pngUpload();
    await postForm(presigned, png);
    await api.request('POST', `/v1/uploads/${presigned.uploadId}/complete`, {
      token: owner.accessToken,
    });
    const stranger = await signedInUser(api);
    for (const [method, path] of [
      ['GET', `/v1/uploads/${presigned.uploadId}`],
      ['GET', `/v1/uploads/${presigned.uploadId}/url`],
      ['POST', `/v1/uploads/${presigned.uploadId}/complete`],
    ] as const) {
      const res = await api.request(method, path, { token: stranger.accessToken });
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('storage.upload_not_found');
    }
    const { key } = await api.app
      .get(ApiKeyService)
      .create(
        { name: 'compliance desk', scopes: ['compliance'] },
        { kind: 'user', userId: owner.id, role: 'admin', sessionId: 'test' },
      );
    const byKey = await api.request('GET', `/v1/uploads/${presigned.uploadId}/url`, {
      token: `ApiKey ${key}`,
    });
    expect(byKey.status).toBe(200);
    const { key: otherKey } = await api.app
      .get(ApiKeyService)
      .create(
        { name: 'ledger bot', scopes: ['ledger'] },
        { kind: 'user', userId: owner.id, role: 'admin', sessionId: 'test' },
      );
    expect(
      (
        await api.request('GET', `/v1/uploads/${presigned.uploadId}`, {
          token: `ApiKey ${otherKey}`,
        })
      ).status,
    ).toBe(404);
    const admin = await signedInUser(api, { role: 'admin' });
    const read = await api.request('GET', `/v1/uploads/${presigned.uploadId}/url`, {
      token: admin.accessToken,
    });
    expect(read.status).toBe(200);
    expect((await fetch(read.body.url)).status).toBe(200);
  });

  it('refuses an undeclared purpose, a type or size the purpose does not accept', async () => {
    const cases = [
      [
        { purpose: 'nobody.declared', contentType: 'image/png', size: 10 },
        'storage.unknown_purpose',
      ],
      [
        { purpose: DEMO.name, contentType: 'application/pdf', size: 10 },
        'storage.content_type_not_allowed',
      ],
      [
        { purpose: DEMO.name, contentType: 'image/png', size: DEMO.maxBytes + 1 },
        'storage.size_out_of_range',
      ],
    ] as const;
    for (const [body, code] of cases) {
      const res = await api.request('POST', '/v1/uploads', { token: owner.accessToken, body });
      expect(res.status).toBe(422);
      expect(res.body.code).toBe(code);
    }
    const bad = await api.request('POST', '/v1/uploads', {
      token: owner.accessToken,
      body: { purpose: DEMO.name, contentType: 'image/png', size: 0 },
    });
    expect(bad.status).toBe(400);
  });

  it('the sweep expires an upload left pending for a day and deletes its object', async () => {
    const stale = await pngUpload();
    await postForm(stale, png);
    const fresh = await pngUpload();
    const db = api.app.get(Database);
    await db.manager.query(
      `UPDATE uploads SET created_at = now() - interval '25 hours' WHERE id = $1`,
      [stale.uploadId],
    );
    // As the scheduler does, under a fresh job id (the boot's bucket already ran).
    await db.transaction(undefined, (tx) =>
      worker.app.get(OutboxService).enqueue<SweepPendingJob>(tx, {
        queue: STORAGE_QUEUE,
        name: StorageJob.SweepPending,
        jobId: `storage-sweep-pending:spec-${randomUUID()}`,
        payload: { bucket: new Date().toISOString() },
      }),
    );
    const state = (id: string) =>
      api
        .request('GET', `/v1/uploads/${id}`, { token: owner.accessToken })
        .then((r) => r.body.state);
    expect(
      await waitFor(
        () => state(stale.uploadId),
        (s) => s !== 'pending',
      ),
    ).toBe('expired');
    expect(s3.object(BUCKET, stale.fields.key!)).toBeUndefined();
    expect(await state(fresh.uploadId)).toBe('pending');
    // Completing it now answers the expired upload.
    const late = await api.request('POST', `/v1/uploads/${stale.uploadId}/complete`, {
      token: owner.accessToken,
    });
    expect(late.body.state).toBe('expired');
  });
});
