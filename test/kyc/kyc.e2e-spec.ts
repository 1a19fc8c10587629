import { MarketKeys } from '@bourse/market-data';
import { Database, REDIS, rows } from '@bourse/platform';
import type Redis from 'ioredis';
import { APPLICANT, passKyc } from '../factories/kyc';
import { signedInUser, type SignedInUser } from '../factories/users';
import { startApi, type TestServer } from '../setup/apps';

/** KYC over HTTP: the applicant's flow, the compliance queue, PII kept sealed and out of logs. */
describe('kyc: cases, review and personal data', () => {
  let api: TestServer;
  let db: Database;
  let reviewer: SignedInUser;
  let otherReviewer: SignedInUser;

  const post = (user: SignedInUser, path: string, body?: unknown) =>
    api.request('POST', path, { token: user.accessToken, body });
  const review = (user: SignedInUser, caseId: string, action: string, body?: unknown) =>
    post(user, `/v1/kyc/review/cases/${caseId}/${action}`, body);
  const auditOf = (caseId: string) =>
    rows<{ action: string; actor: string; details: Record<string, unknown> }>(
      db.manager,
      `SELECT action, actor, details FROM audit_events WHERE target = $1 ORDER BY id`,
      [`kyc_case:${caseId}`],
    );

  beforeAll(async () => {
    api = await startApi();
    db = api.app.get(Database);
    [reviewer, otherReviewer] = await Promise.all([
      signedInUser(api, { role: 'compliance' }),
      signedInUser(api, { role: 'compliance' }),
    ]);
  });
  afterAll(() => api.close());

  it('takes a case from not_started to approved, each change an event and an audit record', async () => {
    const user = await signedInUser(api);
    const start = await api.request('GET', '/v1/kyc', { token: user.accessToken });
    expect(start.body).toMatchObject({ state: 'not_started', tier: 'none' });
    expect(start.body.limits).toContainEqual({
      kind: 'buy',
      daily: '0',
      monthly: '0',
      remainingToday: '0',
    });

    const applied = await post(user, '/v1/kyc/applicant', APPLICANT);
    expect(applied.status).toBe(200);
    expect(applied.body).toMatchObject({ state: 'collecting', applicant: APPLICANT });
    const caseId = applied.body.caseId as string;
    expect((await post(user, '/v1/kyc/submit')).body).toMatchObject({ state: 'submitted' });

    expect((await review(reviewer, caseId, 'claim')).body).toMatchObject({
      state: 'in_review',
      reviewerId: reviewer.id,
    });
    const taken = await review(otherReviewer, caseId, 'claim');
    expect(taken.status).toBe(409);
    expect(taken.body).toMatchObject({ code: 'kyc.claimed_by_other' });
    expect((await review(otherReviewer, caseId, 'approve', { tier: 'full' })).status).toBe(409);
    const approved = await review(reviewer, caseId, 'approve', { tier: 'full' });
    expect(approved.body).toMatchObject({ state: 'approved', tier: 'full' });

    const mine = await api.request('GET', '/v1/kyc', { token: user.accessToken });
    expect(mine.body).toMatchObject({ state: 'approved', tier: 'full', applicant: APPLICANT });
    expect(mine.body.limits).toContainEqual({
      kind: 'buy',
      daily: '10000000',
      monthly: '100000000',
      remainingToday: '10000000',
    });
    const events = await rows(
      db.manager,
      `SELECT from_state, to_state, tier, actor FROM kyc_events WHERE case_id = $1 ORDER BY id`,
      [caseId],
    );
    expect(events).toEqual([
      { from_state: 'not_started', to_state: 'collecting', tier: 'none', actor: `user:${user.id}` },
      { from_state: 'collecting', to_state: 'submitted', tier: 'none', actor: `user:${user.id}` },
      {
        from_state: 'submitted',
        to_state: 'in_review',
        tier: 'none',
        actor: `user:${reviewer.id}`,
      },
      { from_state: 'in_review', to_state: 'approved', tier: 'full', actor: `user:${reviewer.id}` },
    ]);
    expect((await auditOf(caseId)).map((e) => [e.action, e.details.to])).toEqual([
      ['kyc_case.transition', 'collecting'],
      ['kyc_case.transition', 'submitted'],
      ['kyc_case.transition', 'in_review'],
      ['kyc_case.transition', 'approved'],
    ]);
    await expect(
      rows(db.manager, `UPDATE kyc_events SET reason_code = 'x' WHERE case_id = $1`, [caseId]),
    ).rejects.toThrow(/append-only/);
  });

  it.each([
    ['submit before any data', async (u: SignedInUser) => post(u, '/v1/kyc/submit')],
    [
      'send data after submitting',
      async (u: SignedInUser) => {
        await post(u, '/v1/kyc/applicant', APPLICANT);
        await post(u, '/v1/kyc/submit');

        return post(u, '/v1/kyc/applicant', APPLICANT);
      },
    ],
    [
      'approve a case nobody claimed',
      async (u: SignedInUser) => {
        const { body } = await post(u, '/v1/kyc/applicant', APPLICANT);
        await post(u, '/v1/kyc/submit');

        return review(reviewer, body.caseId, 'approve', { tier: 'basic' });
      },
    ],
  ])('refuses to %s with 409 kyc.invalid_transition', async (_case, act) => {
    const user = await signedInUser(api);

    const res = await act(user);

    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'kyc.invalid_transition' });
  });

  it('asks for a resubmission with a reason, and the applicant submits again', async () => {
    const user = await signedInUser(api);
    const { body } = await post(user, '/v1/kyc/applicant', APPLICANT);
    await post(user, '/v1/kyc/submit');
    await review(reviewer, body.caseId, 'claim');

    const asked = await review(reviewer, body.caseId, 'request-resubmission', {
      reasonCode: 'document_unreadable',
    });
    expect(asked.body).toMatchObject({ state: 'resubmission_requested' });
    const fixed = await post(user, '/v1/kyc/applicant', { ...APPLICANT, lastName: 'King' });
    expect(fixed.body).toMatchObject({ state: 'collecting' });
    expect((await post(user, '/v1/kyc/submit')).body).toMatchObject({ state: 'submitted' });
    const [event] = await rows(
      db.manager,
      `SELECT reason_code FROM kyc_events WHERE case_id = $1 AND to_state = 'resubmission_requested'`,
      [body.caseId],
    );
    expect(event).toEqual({ reason_code: 'document_unreadable' });
    const bad = await review(reviewer, body.caseId, 'reject', { reasonCode: 'Not A Code' });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ errors: [{ field: 'reasonCode' }] });
  });

  it('revokes an approval at once: the tier drops and trading is refused', async () => {
    const user = await signedInUser(api);
    const caseId = await passKyc(api, user, reviewer);

    const revoked = await review(reviewer, caseId, 'reject', { reasonCode: 'fraud_found' });

    expect(revoked.body).toMatchObject({ state: 'rejected', tier: 'none' });
    const tick = { symbol: 'XAUUSD', price: '2650.00', ts: Date.now(), seq: 1 };
    await api.app.get<Redis>(REDIS).hset(MarketKeys.lastPrices, 'XAUUSD', JSON.stringify(tick));
    const quote = await post(user, '/v1/trading/quotes', {
      metal: 'XAU',
      side: 'buy',
      weight: '1000',
    });
    expect(quote.status).toBe(403);
    expect(quote.body).toMatchObject({ code: 'kyc.required', tier: 'none' });
  });

  it('keeps PII sealed at rest, out of logs and lists; compliance reads it with an audit event', async () => {
    const user = await signedInUser(api);
    const stranger = await signedInUser(api);
    const { body } = await post(user, '/v1/kyc/applicant', APPLICANT);
    await post(user, '/v1/kyc/submit');

    const [stored] = await rows<{ national_id: string; birth_date: string }>(
      db.manager,
      `SELECT national_id, birth_date FROM kyc_cases WHERE id = $1`,
      [body.caseId],
    );
    expect(stored!.national_id).toMatch(/^dev-1\./);
    expect(JSON.stringify(stored)).not.toContain(APPLICANT.nationalId);
    expect(JSON.stringify(stored)).not.toContain(APPLICANT.birthDate);

    // Others: a user sees only their own case; the queue is compliance's, and redacted.
    const theirs = await api.request('GET', '/v1/kyc', { token: stranger.accessToken });
    expect(JSON.stringify(theirs.body)).not.toContain(APPLICANT.nationalId);
    const denied = await api.request('GET', '/v1/kyc/review/cases', {
      token: stranger.accessToken,
    });
    expect(denied.status).toBe(403);
    expect(
      (await api.request('GET', `/v1/kyc/review/cases/${body.caseId}`, { token: user.accessToken }))
        .status,
    ).toBe(403);
    const queue = await api.request('GET', '/v1/kyc/review/cases?limit=200', {
      token: reviewer.accessToken,
    });
    const listed = queue.body.items.find((c: { id: string }) => c.id === body.caseId);
    expect(listed).toMatchObject({ initials: 'A. L.', country: 'GB', state: 'submitted' });
    expect(JSON.stringify(queue.body)).not.toContain(APPLICANT.nationalId);
    expect(JSON.stringify(queue.body)).not.toContain(APPLICANT.lastName);

    const before = (await auditOf(body.caseId)).length;
    const detail = await api.request('GET', `/v1/kyc/review/cases/${body.caseId}`, {
      token: reviewer.accessToken,
    });
    expect(detail.body).toMatchObject({ applicant: APPLICANT });
    expect(detail.body.events.map((e: { toState: string }) => e.toState)).toEqual([
      'collecting',
      'submitted',
    ]);
    const audit = await auditOf(body.caseId);
    expect(audit).toHaveLength(before + 1);
    expect(audit.at(-1)).toMatchObject({
      action: 'kyc_case.read_pii',
      actor: `user:${reviewer.id}`,
    });

    const logged = JSON.stringify(api.logs.lines);
    expect(logged).not.toContain(APPLICANT.nationalId);
    expect(logged).not.toContain(APPLICANT.birthDate);
  });

  it('takes identity documents through storage (purpose kyc.document), readable through storage by their owner only', async () => {
    const user = await signedInUser(api);
    const stranger = await signedInUser(api);
    const upload = (body: Record<string, unknown>) =>
      post(user, '/v1/uploads', { purpose: 'kyc.document', ...body });

    const created = await upload({ contentType: 'application/pdf', size: 200_000 });
    const gif = await upload({ contentType: 'image/gif', size: 200_000 });
    const huge = await upload({ contentType: 'image/jpeg', size: 11 * 1024 * 1024 });

    expect(created.status).toBe(201);
    expect(gif.body).toMatchObject({ code: 'storage.content_type_not_allowed' });
    expect(huge.body).toMatchObject({ code: 'storage.size_out_of_range' });
    const id = created.body.uploadId as string;
    const get = (who: SignedInUser) =>
      api.request('GET', `/v1/uploads/${id}`, { token: who.accessToken });
    expect((await get(user)).status).toBe(200);
    // Compliance reads documents through KYC, which audits each read (kyc-vendor spec).
    expect((await get(reviewer)).status).toBe(404);
    expect((await get(stranger)).status).toBe(404);
  });
});
