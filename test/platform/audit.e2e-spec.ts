import { AccountsService } from '@bourse/ledger';
import {
  AUDIT_ACTIONS,
  AuditLog,
  auditVocabulary,
  buildOpenApiDocument,
  Database,
  rows,
} from '@bourse/platform';
import { randomUUID } from 'node:crypto';
import { signedInUser, type SignedInUser } from '../factories/users';
import { startApi, type TestServer } from '../setup/apps';

// A lib's own vocabulary, declared where it records: no platform change.
const WIDGET_AUDIT = auditVocabulary({
  targets: ['widget'],
  actions: ['widget.polish', 'widget.scrap'],
});

describe('admin audit trail', () => {
  let api: TestServer;
  let admin: SignedInUser;

  beforeAll(async () => {
    api = await startApi();
    admin = await signedInUser(api, { role: 'admin' });
  });
  afterAll(() => api.close());

  const asAdmin = (method: string, path: string, body?: unknown) =>
    api.request(method, path, { token: admin.accessToken, body });
  const eventsOf = async (target: string) =>
    (await asAdmin('GET', `/v1/admin/audit-events?target=${target}`)).body.events as {
      actor: string;
      action: string;
      target: string;
      details: Record<string, unknown>;
    }[];

  it('records who disabled and enabled a user, and nothing for a change that failed', async () => {
    const user = await signedInUser(api);
    await asAdmin('POST', `/v1/admin/users/${user.id}/disable`);
    await asAdmin('POST', `/v1/admin/users/${user.id}/enable`);
    const missing = randomUUID();
    expect((await asAdmin('POST', `/v1/admin/users/${missing}/disable`)).status).toBe(404);

    expect(await eventsOf(`user:${user.id}`)).toEqual([
      expect.objectContaining({ actor: `user:${admin.id}`, action: 'user.enable' }),
      expect.objectContaining({ actor: `user:${admin.id}`, action: 'user.disable' }),
    ]);
    expect(await eventsOf(`user:${missing}`)).toEqual([]);
  });

  it('records the creation (name and scopes, never the secret) and revocation of API keys', async () => {
    const created = await asAdmin('POST', '/v1/admin/api-keys', {
      name: 'settlement job',
      scopes: ['ledger'],
    });
    await asAdmin('DELETE', `/v1/admin/api-keys/${created.body.id}`);

    const events = await eventsOf(`api_key:${created.body.id}`);
    expect(events.map((e) => e.action)).toEqual(['api_key.revoke', 'api_key.create']);
    expect(events[1]!.details).toEqual({
      name: 'settlement job',
      scopes: ['ledger'],
      expiresAt: null,
    });
    expect(JSON.stringify(events)).not.toContain(created.body.key.split('.')[1]);
  });

  it('records ledger freezes by admins and by ledger-scoped keys', async () => {
    const account = await api.app
      .get(AccountsService)
      .createAccount({ asset: 'USD', owner: randomUUID(), kind: 'user_wallet' });
    const key = await asAdmin('POST', '/v1/admin/api-keys', { name: 'ops', scopes: ['ledger'] });
    await asAdmin('POST', `/v1/ledger/accounts/${account.id}/freeze`);
    await api.request('POST', `/v1/ledger/accounts/${account.id}/unfreeze`, {
      headers: { authorization: `ApiKey ${key.body.key}` },
    });

    expect(await eventsOf(`ledger_account:${account.id}`)).toEqual([
      expect.objectContaining({
        actor: `apikey:${key.body.id}`,
        action: 'ledger_account.unfreeze',
      }),
      expect.objectContaining({ actor: `user:${admin.id}`, action: 'ledger_account.freeze' }),
    ]);
  });

  it("keeps the caller's reason with the event, and refuses one too long naming the field", async () => {
    const user = await signedInUser(api);
    const reason = 'chargeback fraud, ticket 4711';
    await asAdmin('POST', `/v1/admin/users/${user.id}/disable`, { reason });
    const tooLong = await asAdmin('POST', `/v1/admin/users/${user.id}/enable`, {
      reason: 'x'.repeat(501),
    });

    expect(tooLong.status).toBe(400);
    expect(tooLong.body.errors[0].field).toBe('reason');
    expect(await eventsOf(`user:${user.id}`)).toEqual([
      expect.objectContaining({ action: 'user.disable', details: { reason } }),
    ]);
  });

  it('pages newest first, to admins only, and refuses a bad target or cursor', async () => {
    const user = await signedInUser(api);
    for (let i = 0; i < 3; i++) {
      await asAdmin('POST', `/v1/admin/users/${user.id}/disable`);
    }
    const target = `user:${user.id}`;
    const first = await asAdmin('GET', `/v1/admin/audit-events?target=${target}&limit=2`);
    const second = await asAdmin(
      'GET',
      `/v1/admin/audit-events?target=${target}&limit=2&cursor=${first.body.nextCursor}`,
    );
    const all = await asAdmin('GET', '/v1/admin/audit-events?limit=1');
    const asUser = await api.request('GET', '/v1/admin/audit-events', {
      token: (await signedInUser(api)).accessToken,
    });
    const disables = await asAdmin('GET', '/v1/admin/audit-events?action=user.disable&limit=200');
    const badAction = await asAdmin('GET', '/v1/admin/audit-events?action=user.delete');
    const badTarget = await asAdmin('GET', '/v1/admin/audit-events?target=user:1');
    const badCursor = await asAdmin('GET', '/v1/admin/audit-events?cursor=abc');

    expect(first.body.events).toHaveLength(2);
    expect(second.body.events).toHaveLength(1);
    expect(second.body.nextCursor).toBeUndefined();
    const ids = [...first.body.events, ...second.body.events].map((e: { id: string }) => e.id);
    expect([...ids].sort().reverse()).toEqual(ids);
    expect(all.body.events).toHaveLength(1);
    expect(all.body.nextCursor).toEqual(expect.any(String));
    expect(asUser.status).toBe(403);
    expect(disables.body.events.length).toBeGreaterThanOrEqual(3);
    expect(disables.body.events.every((e: { action: string }) => e.action === 'user.disable')).toBe(
      true,
    );
    expect(badAction.status).toBe(400);
    expect(badAction.body.errors[0].field).toBe('action');
    expect(badTarget.status).toBe(400);
    expect(badTarget.body.errors[0].field).toBe('target');
    expect(badCursor.status).toBe(400);
    expect(badCursor.body.errors[0].field).toBe('cursor');
  });

  it('records, filters and documents the actions a lib declared, and nothing undeclared', async () => {
    const id = randomUUID();
    const audit = api.app.get(AuditLog);
    const db = api.app.get(Database);
    await db.transaction(undefined, (tx) =>
      audit.record(
        tx,
        { actor: undefined, reason: 'shine' },
        WIDGET_AUDIT.event('widget.polish', id),
      ),
    );
    await expect(
      db.transaction(undefined, (tx) =>
        audit.record(tx, { actor: undefined }, { action: 'widget.paint', target: `widget:${id}` }),
      ),
    ).rejects.toThrow(/Undeclared audit action/);

    const polished = await asAdmin(
      'GET',
      `/v1/admin/audit-events?action=widget.polish&target=widget:${id}`,
    );
    expect(polished.body.events).toEqual([
      expect.objectContaining({
        actor: 'anonymous',
        action: 'widget.polish',
        details: { reason: 'shine' },
      }),
    ]);
    expect((await asAdmin('GET', `/v1/admin/audit-events?target=gadget:${id}`)).status).toBe(400);

    const operation = buildOpenApiDocument(api.app).paths['/v1/admin/audit-events']!.get!;
    const action = operation.parameters!.find((p) => 'name' in p && p.name === 'action');
    expect(action).toMatchObject({ schema: { enum: AUDIT_ACTIONS } });
    // Every loaded lib's vocabulary (others, such as KYC's, come with the libs the app loads).
    expect(AUDIT_ACTIONS).toEqual(
      expect.arrayContaining([
        'api_key.create',
        'api_key.revoke',
        'ledger_account.freeze',
        'ledger_account.unfreeze',
        'user.disable',
        'user.enable',
        'widget.polish',
        'widget.scrap',
      ]),
    );
  });

  it('refuses a vocabulary whose actions are not <kind>.<verb> over its own kinds', () => {
    expect(() =>
      auditVocabulary({ targets: ['gizmo'], actions: ['widget.polish' as 'gizmo.x'] }),
    ).toThrow(/must be <kind>.<verb> over a kind it declares/);
    expect(() => auditVocabulary({ targets: ['Gizmo'], actions: [] })).toThrow(/snake_case/);
  });

  it('cannot be edited or deleted', async () => {
    const db = api.app.get(Database);
    await expect(
      rows(db.manager, `UPDATE audit_events SET actor = 'someone else'`),
    ).rejects.toThrow(/append-only/);
    await expect(rows(db.manager, `DELETE FROM audit_events`)).rejects.toThrow(/append-only/);
    await expect(rows(db.manager, `TRUNCATE audit_events`)).rejects.toThrow(/append-only/);
  });
});
