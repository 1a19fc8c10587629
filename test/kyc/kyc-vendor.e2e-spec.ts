import { sumsubRequestSignature } from '@bourse/kyc';
import { dataSourceOptions, rows } from '@bourse/platform';
import { SIMULATOR_CREDENTIALS } from '@bourse/storage';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import sharp from 'sharp';
import { DataSource } from 'typeorm';
import { reencryptKyc } from '../../apps/cli/src/kyc-reencrypt.command';
import { MIGRATIONS } from '../../migrations';
import { S3Simulator } from '../../simulators/s3/s3.simulator';
import { SumsubSimulator } from '../../simulators/sumsub/sumsub.simulator';
import { APPLICANT, uploadKycDocument } from '../factories/kyc';
import { signedInUser, type SignedInUser } from '../factories/users';
import { startApi, testConfig, type TestServer } from '../setup/apps';
import { adminQuery, TEST_DB_ENV, testDatabaseUrl } from '../setup/test-env';
import { startWorker } from '../setup/worker';

// The worker relays every outbox row and erases every case past its retention in its database:
// this file's api and worker get a database and Redis prefix of their own.
const DATABASE = `${process.env[TEST_DB_ENV]}_kyc_vendor`;
const BUCKET = 'bourse-test-kyc';
const REGION = 'eu-west-1';
const APP_TOKEN = 'sbx:kyc-vendor-spec-token';
const SECRET_KEY = 'kyc-vendor-spec-secret-key';
const WEBHOOK_SECRET = 'kyc-vendor-spec-webhook-secret';
const DEV_KEY = 'ZGV2LW9ubHkta3ljLXBpaS1rZXktMzItYnl0ZXMhISE=';

async function waitFor<T>(probe: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await probe();
    if (done(value)) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`condition not met within 30 s; last value ${JSON.stringify(value)}`);
    }
    await sleep(50);
  }
}

/**
 * KYC against the Sumsub simulator over HTTP: documents linked to the case and read under audit,
 * a submit sent by the worker (applicant, documents, check), the signed review webhook applied,
 * a late RED, export, erasure past retention and re-encryption under a new key.
 */
describe('kyc: documents, the Sumsub adapter and simulator, export, retention', () => {
  let s3: S3Simulator;
  let sumsub: SumsubSimulator;
  let api: TestServer;
  let worker: TestServer;
  let db: DataSource;
  let reviewer: SignedInUser;
  let env: Record<string, string>;
  let image: Buffer;

  const query = <T>(sql: string, params: unknown[] = []) => rows<T>(db.manager, sql, params);
  const post = (user: SignedInUser, path: string, body?: unknown) =>
    api.request('POST', path, { token: user.accessToken, body });
  const mine = async (user: SignedInUser) =>
    (await api.request('GET', '/v1/kyc', { token: user.accessToken })).body;
  const stateOf = (user: SignedInUser, state: string) =>
    waitFor(
      () => mine(user),
      (kyc) => kyc.state === state,
    );
  const auditOf = (target: string) =>
    query<{ action: string; actor: string; details: Record<string, unknown> }>(
      `SELECT action, actor, details FROM audit_events WHERE target = $1 ORDER BY at, id`,
      [target],
    );
  const document = async (user: SignedInUser, type: string, side: string) => {
    const uploadId = await uploadKycDocument(api, user, image);
    const res = await post(user, '/v1/kyc/documents', { uploadId, type, side });
    expect(res.status).toBe(200);

    return res.body.documents.find((d: { uploadId: string }) => d.uploadId === uploadId) as {
      id: string;
      uploadId: string;
    };
  };
  /** A user with personal data (last name picks the simulator's outcome) and an id card. */
  const applicant = async (lastName = APPLICANT.lastName) => {
    const user = await signedInUser(api);
    expect((await post(user, '/v1/kyc/applicant', { ...APPLICANT, lastName })).status).toBe(200);
    const front = await document(user, 'ID_CARD', 'front');
    const back = await document(user, 'ID_CARD', 'back');

    return { user, front, back };
  };

  beforeAll(async () => {
    s3 = new S3Simulator({
      credentials: [SIMULATOR_CREDENTIALS],
      region: REGION,
      buckets: [BUCKET],
    });
    sumsub = new SumsubSimulator({
      appToken: APP_TOKEN,
      secretKey: SECRET_KEY,
      webhookSecret: WEBHOOK_SECRET,
      reviewDelayMs: 50,
      digestAlgorithm: 'HMAC_SHA512_HEX',
    });
    await Promise.all([s3.start(), sumsub.start()]);
    env = {
      DATABASE_URL: testDatabaseUrl(DATABASE),
      REDIS_KEY_PREFIX: `${process.env.REDIS_KEY_PREFIX}-kyc-vendor`,
      OUTBOX_RELAY_INTERVAL_MS: '20',
      STORAGE_S3_ENDPOINT: s3.url,
      STORAGE_S3_REGION: REGION,
      STORAGE_S3_BUCKET: BUCKET,
      KYC_VENDOR: 'sumsub',
      KYC_SUMSUB_API_URL: sumsub.url,
      KYC_SUMSUB_APP_TOKEN: APP_TOKEN,
      KYC_SUMSUB_SECRET_KEY: SECRET_KEY,
      KYC_SUMSUB_WEBHOOK_SECRET: WEBHOOK_SECRET,
      // Ended cases are erased at once, on the next one-second bucket.
      KYC_RETENTION_DAYS: '0',
      KYC_ERASE_INTERVAL_SECONDS: '1',
    };
    await adminQuery(`CREATE DATABASE ${DATABASE}`);
    db = new DataSource(
      dataSourceOptions({ ...testConfig(env).database, poolSize: 2 }, { migrations: MIGRATIONS }),
    );
    await db.initialize();
    await db.runMigrations();
    [api, worker] = await Promise.all([startApi(env), startWorker(env)]);
    sumsub.options.webhookUrl = `${api.url}/webhooks/sumsub`;
    reviewer = await signedInUser(api, { role: 'compliance' });
    const { width, height } = { width: 48, height: 48 };
    image = await sharp(randomBytes(width * height * 3), { raw: { width, height, channels: 3 } })
      .png()
      .toBuffer();
  });
  afterAll(async () => {
    await worker?.close();
    await api?.close();
    await Promise.all([sumsub?.stop(), s3?.stop()]);
    await db?.destroy();
    await adminQuery(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
  });

  it('a user passes KYC end to end: documents, submit, the worker sends the case, GREEN approves', async () => {
    const { user, front, back } = await applicant();

    const submitted = await post(user, '/v1/kyc/submit');
    expect(submitted.body).toMatchObject({ state: 'submitted', tier: 'none' });
    const approved = await stateOf(user, 'approved');

    expect(approved).toMatchObject({ tier: 'basic', applicant: APPLICANT });
    expect(approved.documents).toEqual([
      expect.objectContaining({ id: front.id, type: 'ID_CARD', side: 'front', redo: false }),
      expect.objectContaining({ id: back.id, type: 'ID_CARD', side: 'back', redo: false }),
    ]);
    const sent = sumsub.byExternalUserId(user.id)!;
    expect(sent).toMatchObject({
      levelName: 'basic-kyc-level',
      fixedInfo: {
        firstName: APPLICANT.firstName,
        lastName: APPLICANT.lastName,
        dob: APPLICANT.birthDate,
        country: APPLICANT.country,
      },
      review: { reviewStatus: 'completed', reviewResult: { reviewAnswer: 'GREEN' } },
    });
    expect(sent.idDocs.map((d) => [d.idDocType, d.idDocSubType, d.size])).toEqual([
      ['ID_CARD', 'FRONT_SIDE', image.length],
      ['ID_CARD', 'BACK_SIDE', image.length],
    ]);
    const [stored] = await query<{ vendor_applicant_id: string }>(
      `SELECT vendor_applicant_id FROM kyc_cases WHERE user_id = $1`,
      [user.id],
    );
    expect(stored!.vendor_applicant_id).toBe(sent.id);
    const events = await query<{ to_state: string; actor: string }>(
      `SELECT to_state, actor FROM kyc_events e JOIN kyc_cases c ON c.id = e.case_id
        WHERE c.user_id = $1 ORDER BY e.id`,
      [user.id],
    );
    expect(events).toEqual([
      { to_state: 'collecting', actor: `user:${user.id}` },
      { to_state: 'submitted', actor: `user:${user.id}` },
      { to_state: 'in_review', actor: 'vendor:sumsub' },
      { to_state: 'approved', actor: 'vendor:sumsub' },
    ]);
  });

  it('a late RED from Sumsub revokes the approval at once', async () => {
    const { user } = await applicant();
    await post(user, '/v1/kyc/submit');
    await stateOf(user, 'approved');

    const late = await fetch(
      `${sumsub.url}/_simulator/applicants/${sumsub.byExternalUserId(user.id)!.id}/review`,
      {
        method: 'POST',
        body: JSON.stringify({
          reviewAnswer: 'RED',
          reviewRejectType: 'FINAL',
          rejectLabels: ['FRAUDULENT_PATTERNS'],
        }),
      },
    );
    expect(late.status).toBe(200);

    expect(await stateOf(user, 'rejected')).toMatchObject({ tier: 'none' });
  });

  it('the simulator refuses a request without a valid App Token signature', async () => {
    const path = '/resources/applicants?levelName=basic-kyc-level';
    const body = JSON.stringify({ externalUserId: 'x' });
    const ts = Math.floor(Date.now() / 1000).toString();
    const send = (headers: Record<string, string>) =>
      fetch(`${sumsub.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'X-App-Token': APP_TOKEN, ...headers },
        body,
      });

    const forged = await send({
      'X-App-Access-Ts': ts,
      'X-App-Access-Sig': sumsubRequestSignature('wrong-secret', ts, 'POST', path, body),
    });
    const stale = await send({
      'X-App-Access-Ts': String(Number(ts) - 3600),
      'X-App-Access-Sig': sumsubRequestSignature(
        SECRET_KEY,
        String(Number(ts) - 3600),
        'POST',
        path,
        body,
      ),
    });

    expect(forged.status).toBe(401);
    expect(await forged.json()).toMatchObject({ description: 'Request signature mismatch' });
    expect(stale.status).toBe(401);
    expect(sumsub.byExternalUserId('x')).toBeUndefined();
  });

  it('RED RETRY and RED FINAL by the simulator’s outcome for the last name', async () => {
    const retry = await applicant('Retry');
    const fraud = await applicant('Fraud');
    await post(retry.user, '/v1/kyc/submit');
    await post(fraud.user, '/v1/kyc/submit');

    expect(await stateOf(retry.user, 'resubmission_requested')).toMatchObject({ tier: 'none' });
    expect(await stateOf(fraud.user, 'rejected')).toMatchObject({ tier: 'none' });
  });

  it('documents: owner-only links, closed once submitted, compliance reads them under audit', async () => {
    const { user, front } = await applicant('Pending');
    const stranger = await signedInUser(api);
    const strangersUpload = await uploadKycDocument(api, stranger, image);

    const foreign = await post(user, '/v1/kyc/documents', {
      uploadId: strangersUpload,
      type: 'PASSPORT',
      side: 'single',
    });
    const badType = await post(user, '/v1/kyc/documents', {
      uploadId: front.uploadId,
      type: 'SELFIE_VIDEO',
      side: 'single',
    });
    expect(foreign.status).toBe(422);
    expect(foreign.body).toMatchObject({ code: 'kyc.upload_not_usable', field: 'uploadId' });
    expect(badType.status).toBe(400);

    const { caseId } = await mine(user);
    await post(user, '/v1/kyc/submit');
    const late = await post(user, '/v1/kyc/documents', {
      uploadId: await uploadKycDocument(api, user, image),
      type: 'PASSPORT',
      side: 'single',
    });
    expect(late.status).toBe(409);
    expect(late.body).toMatchObject({ code: 'kyc.documents_closed', state: 'submitted' });

    const path = `/v1/kyc/review/cases/${caseId}/documents/${front.id}`;
    const byStranger = await api.request('GET', path, { token: stranger.accessToken });
    const read = await api.request('GET', path, { token: reviewer.accessToken });
    expect(byStranger.status).toBe(403);
    expect(read.status).toBe(200);
    const file = await fetch(read.body.url);
    expect(Buffer.from(await file.arrayBuffer())).toEqual(image);
    expect(await auditOf(`kyc_document:${front.id}`)).toEqual([
      {
        action: 'kyc_document.read',
        actor: `user:${reviewer.id}`,
        details: { caseId, uploadId: front.uploadId, type: 'ID_CARD', side: 'front' },
      },
    ]);
    // Storage itself no longer lets compliance read it unaudited.
    const direct = await api.request('GET', `/v1/uploads/${front.uploadId}/url`, {
      token: reviewer.accessToken,
    });
    expect(direct.status).toBe(404);
  });

  it('a resubmission names the documents to redo; submitting waits for their replacements', async () => {
    const { user, front, back } = await applicant('Pending');
    const { caseId } = await mine(user);
    await post(user, '/v1/kyc/submit');
    await post(reviewer, `/v1/kyc/review/cases/${caseId}/claim`);

    const unknown = await post(reviewer, `/v1/kyc/review/cases/${caseId}/request-resubmission`, {
      reasonCode: 'document_unreadable',
      documents: [caseId],
    });
    expect(unknown.status).toBe(422);
    expect(unknown.body).toMatchObject({ code: 'kyc.unknown_documents', documents: [caseId] });
    const asked = await post(reviewer, `/v1/kyc/review/cases/${caseId}/request-resubmission`, {
      reasonCode: 'document_unreadable',
      documents: [front.id],
    });
    expect(asked.body).toMatchObject({ state: 'resubmission_requested' });
    expect((await mine(user)).documents).toEqual([
      expect.objectContaining({ id: front.id, redo: true }),
      expect.objectContaining({ id: back.id, redo: false }),
    ]);

    // Another side reopens the case, but the front is still to redo.
    await document(user, 'ID_CARD', 'back');
    const early = await post(user, '/v1/kyc/submit');
    expect(early.status).toBe(422);
    expect(early.body).toMatchObject({ code: 'kyc.documents_to_redo', documents: [front.id] });

    const newFront = await document(user, 'ID_CARD', 'front');
    const again = await post(user, '/v1/kyc/submit');
    expect(again.status).toBe(200);
    expect(again.body.state).toBe('submitted');
    expect(again.body.documents.map((d: { redo: boolean }) => d.redo)).toEqual([false, false]);
    expect(again.body.documents.map((d: { id: string }) => d.id)).toContain(newFront.id);
  });

  it('exports the user’s KYC data to them alone, as an audited read', async () => {
    const { user, front, back } = await applicant('Pending');
    const other = await signedInUser(api);

    const res = await api.request('GET', '/v1/kyc/export', { token: user.accessToken });
    const others = await api.request('GET', '/v1/kyc/export', { token: other.accessToken });

    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      exportedAt: expect.any(String),
      case: {
        caseId: expect.any(String),
        state: 'collecting',
        tier: 'none',
        createdAt: expect.any(String),
      },
      applicant: { ...APPLICANT, lastName: 'Pending' },
      documents: [
        expect.objectContaining({ id: front.id, type: 'ID_CARD', side: 'front' }),
        expect.objectContaining({ id: back.id, type: 'ID_CARD', side: 'back' }),
      ],
      events: [expect.objectContaining({ fromState: 'not_started', toState: 'collecting' })],
    });
    expect(JSON.stringify(others.body)).not.toContain(APPLICANT.nationalId);
    expect((await auditOf(`kyc_case:${res.body.case.caseId}`)).at(-1)).toMatchObject({
      action: 'kyc_case.export',
      actor: `user:${user.id}`,
    });
  });

  it('erases the PII of an ended case past its retention, keeping the fingerprint and events', async () => {
    const { user, front } = await applicant('Fraud');
    await post(user, '/v1/kyc/submit');
    await stateOf(user, 'rejected');
    const { caseId } = await mine(user);

    const erased = await waitFor(
      () =>
        query<Record<string, unknown>>(
          `SELECT first_name, last_name, national_id, birth_date, national_id_fp, erased_at, retain_until
             FROM kyc_cases WHERE id = $1`,
          [caseId],
        ),
      ([row]) => row!.erased_at !== null,
    );

    expect(erased[0]).toEqual({
      first_name: null,
      last_name: null,
      national_id: null,
      birth_date: null,
      national_id_fp: expect.stringMatching(/^[0-9a-f]{64}$/),
      erased_at: expect.any(Date),
      retain_until: expect.any(Date),
    });
    const exported = (await api.request('GET', '/v1/kyc/export', { token: user.accessToken })).body;
    expect(exported.applicant).toBeUndefined();
    expect(exported.case).toMatchObject({ state: 'rejected', erasedAt: expect.any(String) });
    expect(exported.events.map((e: { toState: string }) => e.toState)).toEqual([
      'collecting',
      'submitted',
      'in_review',
      'rejected',
    ]);
    expect(s3.object(BUCKET, `files/kyc.document/${user.id}/${front.uploadId}`)).toBeUndefined();
    const [upload] = await query<{ sha256: string }>(`SELECT sha256 FROM uploads WHERE id = $1`, [
      front.uploadId,
    ]);
    expect(upload!.sha256).toMatch(/^[0-9a-f]{64}$/);
    const read = await api.request('GET', `/v1/kyc/review/cases/${caseId}/documents/${front.id}`, {
      token: reviewer.accessToken,
    });
    expect(read.status).toBe(404);
    expect(await auditOf(`kyc_case:${caseId}`)).toContainEqual({
      action: 'kyc_case.erase',
      actor: 'anonymous',
      details: { retainUntil: expect.any(String) },
    });
  });

  it('kyc:reencrypt moves every ciphertext to the new key, which alone then reads them', async () => {
    const { user } = await applicant('Pending');
    const newKey = randomBytes(32).toString('base64');
    const rotated = {
      ...env,
      KYC_PII_KEY: newKey,
      KYC_PII_KEY_ID: 'rotated-2',
      KYC_PII_OLD_KEYS: `dev-1:${DEV_KEY}`,
    };

    const report = await reencryptKyc(testConfig(rotated));

    expect(report).toMatch(/^kyc:reencrypt: [1-9]\d* case\(s\) re-encrypted under key rotated-2$/);
    const left = await query(
      `SELECT id FROM kyc_cases
        WHERE split_part(national_id, '.', 1) <> 'rotated-2'
           OR split_part(birth_date, '.', 1) <> 'rotated-2'`,
    );
    expect(left).toEqual([]);
    expect(await reencryptKyc(testConfig(rotated))).toMatch(/: 0 case\(s\)/);
    const next = await startApi({ ...rotated, KYC_PII_OLD_KEYS: '' });
    try {
      const res = await next.request('GET', '/v1/kyc', { token: user.accessToken });
      expect(res.body.applicant).toEqual({ ...APPLICANT, lastName: 'Pending' });
    } finally {
      await next.close();
    }
  });

  it('never logs personal data, in the api or the worker', () => {
    for (const logs of [api.logs.lines, worker.logs.lines]) {
      const text = JSON.stringify(logs);
      expect(text).not.toContain(APPLICANT.nationalId);
      expect(text).not.toContain(APPLICANT.birthDate);
    }
  });
});
