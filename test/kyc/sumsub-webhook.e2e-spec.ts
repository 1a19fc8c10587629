import { sumsubDigest, type SumsubDigestAlgorithm } from '@bourse/kyc';
import { Database, rows } from '@bourse/platform';
import { APPLICANT, passKyc } from '../factories/kyc';
import { signedInUser, type SignedInUser } from '../factories/users';
import { startApi, type TestServer } from '../setup/apps';
import { startWorker } from '../setup/worker';

/**
 * Sumsub's review webhooks through the inbox: signed with X-Payload-Digest (the dev secret of
 * KYC_SUMSUB_WEBHOOK_SECRET), applied once by the worker, forged ones refused.
 */
describe('kyc: Sumsub review webhooks', () => {
  const SECRET = 'dev-only-sumsub-webhook-secret';
  let api: TestServer;
  let worker: TestServer;
  let db: Database;
  let reviewer: SignedInUser;
  let at = Date.now();

  const review = (userId: string, result: Record<string, unknown>) =>
    JSON.stringify({
      applicantId: `app-${userId}`,
      inspectionId: 'insp-1',
      correlationId: `req-${at}`,
      externalUserId: userId,
      levelName: 'basic-kyc-level',
      type: 'applicantReviewed',
      reviewStatus: 'completed',
      createdAtMs: new Date(++at).toISOString(),
      reviewResult: result,
    });

  const send = (body: string, alg: SumsubDigestAlgorithm = 'HMAC_SHA256_HEX', secret = SECRET) =>
    api.request('POST', '/webhooks/sumsub', {
      body,
      headers: {
        'x-payload-digest': sumsubDigest(secret, body, alg),
        'x-payload-digest-alg': alg,
      },
    });

  const caseOf = async (userId: string) =>
    (
      await rows<{ id: string; state: string; tier: string }>(
        db.manager,
        `SELECT id, state, tier FROM kyc_cases WHERE user_id = $1`,
        [userId],
      )
    )[0]!;

  /** Waits for the worker to process every inbox event of the case's user. */
  async function processed(userId: string): Promise<void> {
    for (let i = 0; i < 200; i++) {
      const [pending] = await rows<{ n: string }>(
        db.manager,
        `SELECT count(*) AS n FROM inbox
          WHERE provider = 'sumsub' AND payload->>'externalUserId' = $1 AND processed_at IS NULL`,
        [userId],
      );
      if (pending!.n === '0') {
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('the worker did not process the events');
  }

  const submitted = async (): Promise<SignedInUser> => {
    const user = await signedInUser(api);
    await api.request('POST', '/v1/kyc/applicant', { token: user.accessToken, body: APPLICANT });
    await api.request('POST', '/v1/kyc/submit', { token: user.accessToken });

    return user;
  };

  beforeAll(async () => {
    [api, worker] = await Promise.all([startApi(), startWorker()]);
    db = api.app.get(Database);
    reviewer = await signedInUser(api, { role: 'compliance' });
  });
  afterAll(async () => {
    await Promise.all([api.close(), worker.close()]);
  });

  it.each(['HMAC_SHA1_HEX', 'HMAC_SHA256_HEX', 'HMAC_SHA512_HEX'] as const)(
    'applies a GREEN signed with %s once, however often it is delivered',
    async (alg) => {
      const user = await submitted();
      const body = review(user.id, { reviewAnswer: 'GREEN' });

      const first = await send(body, alg);
      const again = await send(body, alg);
      await processed(user.id);

      expect(first.status).toBe(200);
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ duplicate: true });
      expect(await caseOf(user.id)).toMatchObject({ state: 'approved', tier: 'basic' });
      const events = await rows<{ to_state: string; actor: string; payload_hash: string }>(
        db.manager,
        `SELECT to_state, actor, payload_hash FROM kyc_events e JOIN kyc_cases c ON c.id = e.case_id
          WHERE c.user_id = $1 AND e.actor = 'vendor:sumsub' ORDER BY e.id`,
        [user.id],
      );
      expect(events.map((e) => e.to_state)).toEqual(['in_review', 'approved']);
      expect(events[1]!.payload_hash).toMatch(/^[0-9a-f]{64}$/);
    },
  );

  it('refuses a forged webhook with 400 and stores nothing', async () => {
    const user = await submitted();
    const body = review(user.id, { reviewAnswer: 'GREEN' });

    const forged = await send(body, 'HMAC_SHA256_HEX', 'not-the-secret');
    const tampered = await api.request('POST', '/webhooks/sumsub', {
      body: body.replace('GREEN', 'RED'),
      headers: {
        'x-payload-digest': sumsubDigest(SECRET, body, 'HMAC_SHA256_HEX'),
        'x-payload-digest-alg': 'HMAC_SHA256_HEX',
      },
    });

    expect(forged.status).toBe(400);
    expect(forged.body).toMatchObject({ code: 'inbox.invalid_signature' });
    expect(tampered.status).toBe(400);
    expect(
      await rows(db.manager, `SELECT 1 FROM inbox WHERE payload->>'externalUserId' = $1`, [
        user.id,
      ]),
    ).toEqual([]);
    expect(await caseOf(user.id)).toMatchObject({ state: 'submitted', tier: 'none' });
  });

  it('a RED RETRY asks for a resubmission with the reject labels as reason', async () => {
    const user = await submitted();

    await send(
      review(user.id, {
        reviewAnswer: 'RED',
        reviewRejectType: 'RETRY',
        rejectLabels: ['UNSATISFACTORY_PHOTOS'],
      }),
    );
    await processed(user.id);

    expect(await caseOf(user.id)).toMatchObject({ state: 'resubmission_requested' });
    const [last] = await rows(
      db.manager,
      `SELECT reason_code FROM kyc_events e JOIN kyc_cases c ON c.id = e.case_id
        WHERE c.user_id = $1 ORDER BY e.id DESC LIMIT 1`,
      [user.id],
    );
    expect(last).toEqual({ reason_code: 'unsatisfactory_photos' });
  });

  it('a late RED FINAL after approval revokes the tier at once', async () => {
    const user = await signedInUser(api);
    await passKyc(api, user, reviewer, 'full');
    expect(await caseOf(user.id)).toMatchObject({ state: 'approved', tier: 'full' });

    await send(
      review(user.id, {
        reviewAnswer: 'RED',
        reviewRejectType: 'FINAL',
        rejectLabels: ['FRAUDULENT_PATTERNS'],
      }),
    );
    await processed(user.id);

    expect(await caseOf(user.id)).toMatchObject({ state: 'rejected', tier: 'none' });
    const mine = await api.request('GET', '/v1/kyc', { token: user.accessToken });
    expect(mine.body).toMatchObject({ state: 'rejected', tier: 'none' });
  });
});
