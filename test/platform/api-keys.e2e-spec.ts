import { ApiKeyScopes, CurrentPrincipal, Database, rows, type Principal } from '@bourse/platform';
import { Controller, Get, Module } from '@nestjs/common';
import { signedInUser, type SignedInUser } from '../factories/users';
import { startApi, type TestServer } from '../setup/apps';

/** Routes that exist only in this test, to exercise @ApiKeyScopes. */
@Controller('test/keys')
class ScopedController {
  @Get('ledger')
  @ApiKeyScopes('ledger')
  ledger(@CurrentPrincipal() principal: Principal): Principal {
    return principal;
  }

  @Get('ledger-and-kyc')
  @ApiKeyScopes('ledger', 'kyc')
  ledgerAndKyc(@CurrentPrincipal() principal: Principal): Principal {
    return principal;
  }

  @Get('users-only')
  usersOnly(@CurrentPrincipal() principal: Principal): Principal {
    return principal;
  }
}

@Module({ controllers: [ScopedController] })
class ScopedTestModule {}

describe('API keys', () => {
  let api: TestServer;
  let admin: SignedInUser;

  beforeAll(async () => {
    api = await startApi({}, [ScopedTestModule]);
    admin = await signedInUser(api, { role: 'admin' });
  });
  afterAll(() => api.close());

  const createKey = async (scopes: string[] = ['ledger']): Promise<{ id: string; key: string }> => {
    const res = await api.request('POST', '/v1/admin/api-keys', {
      token: admin.accessToken,
      body: { name: 'reconciler', scopes },
    });
    expect(res.status).toBe(201);

    return res.body;
  };
  const call = (path: string, key: string) => api.request('GET', path, { token: `ApiKey ${key}` });

  it('are created by admins and shown once with their secret', async () => {
    const res = await api.request('POST', '/v1/admin/api-keys', {
      token: admin.accessToken,
      body: { name: 'reconciler', scopes: ['ledger', 'kyc'] },
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      name: 'reconciler',
      scopes: ['ledger', 'kyc'],
      createdBy: admin.id,
      createdAt: expect.any(String),
      lastUsedAt: null,
      expiresAt: null,
      revokedAt: null,
      key: expect.stringMatching(new RegExp(`^${res.body.id}\\.[\\w-]{43}$`)),
    });
  });

  it('authenticate as an apiKey principal on routes open to their scopes', async () => {
    const { id, key } = await createKey(['ledger']);
    const res = await call('/test/keys/ledger', key);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ kind: 'apiKey', apiKeyId: id, scopes: ['ledger'] });
  });

  it('are refused with a wrong or malformed secret', async () => {
    const { id } = await createKey();
    for (const key of [`${id}.${'x'.repeat(43)}`, `${id}.short`, 'not-a-key']) {
      const res = await call('/test/keys/ledger', key);
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('auth.invalid_token');
    }
  });

  it('need every scope a route lists (403 otherwise)', async () => {
    const { key } = await createKey(['ledger']);
    const res = await call('/test/keys/ledger-and-kyc', key);
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('auth.forbidden');
    const both = await createKey(['kyc', 'ledger']);
    expect((await call('/test/keys/ledger-and-kyc', both.key)).status).toBe(200);
  });

  it('are refused on routes without @ApiKeyScopes, admin routes included', async () => {
    const { key } = await createKey(['ledger']);
    for (const path of ['/test/keys/users-only', '/v1/me', '/v1/admin/api-keys']) {
      const res = await call(path, key);
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('auth.forbidden');
    }
  });

  it('leave scoped routes open to any signed-in user', async () => {
    const user = await signedInUser(api);
    const res = await api.request('GET', '/test/keys/ledger', { token: user.accessToken });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      kind: 'user',
      userId: user.id,
      role: 'user',
      sessionId: expect.any(String),
    });
  });

  it('are listed without secrets, with their last use', async () => {
    const { id, key } = await createKey();
    await call('/test/keys/ledger', key);
    const res = await api.request('GET', '/v1/admin/api-keys', { token: admin.accessToken });
    expect(res.status).toBe(200);
    const listed = res.body.find((k: { id: string }) => k.id === id);
    expect(Object.keys(listed).sort()).toEqual(
      [
        'createdAt',
        'createdBy',
        'expiresAt',
        'id',
        'lastUsedAt',
        'name',
        'revokedAt',
        'scopes',
      ].sort(),
    );
    expect(listed.lastUsedAt).toEqual(expect.any(String));
    expect(JSON.stringify(res.body)).not.toContain(key.split('.')[1]);
  });

  it('stop working as soon as they are revoked', async () => {
    const { id, key } = await createKey();
    expect((await call('/test/keys/ledger', key)).status).toBe(200);
    const res = await api.request('DELETE', `/v1/admin/api-keys/${id}`, {
      token: admin.accessToken,
    });
    expect(res.status).toBe(204);
    const after = await call('/test/keys/ledger', key);
    expect(after.status).toBe(401);
    expect(after.body.code).toBe('auth.invalid_token');
    const list = await api.request('GET', '/v1/admin/api-keys', { token: admin.accessToken });
    expect(list.body.find((k: { id: string }) => k.id === id).revokedAt).toEqual(
      expect.any(String),
    );
  });

  it('stop working once past their expiry, which must lie in the future', async () => {
    const create = (expiresAt: unknown) =>
      api.request('POST', '/v1/admin/api-keys', {
        token: admin.accessToken,
        body: { name: 'rotating', scopes: ['ledger'], expiresAt },
      });
    const inAnHour = new Date(Date.now() + 3_600_000).toISOString();
    const created = await create(inAnHour);
    expect(created.status).toBe(201);
    expect(created.body.expiresAt).toBe(inAnHour);
    expect((await call('/test/keys/ledger', created.body.key)).status).toBe(200);

    // Its hour passes: moved back in the database (creation too), as time would have.
    await rows(
      api.app.get(Database).manager,
      `UPDATE api_keys SET created_at = now() - interval '2 hours',
                           expires_at = now() - interval '1 second'
        WHERE id = $1`,
      [created.body.id],
    );
    const expired = await call('/test/keys/ledger', created.body.key);
    const past = await create(new Date(Date.now() - 1000).toISOString());
    const garbage = await create('next week');

    expect(expired.status).toBe(401);
    expect(expired.body.code).toBe('auth.invalid_token');
    for (const refused of [past, garbage]) {
      expect(refused.status).toBe(400);
      expect(refused.body.errors).toEqual([expect.objectContaining({ field: 'expiresAt' })]);
    }
  });

  it('answer 404 when revoking an unknown key and 400 for a malformed id', async () => {
    const unknown = await api.request(
      'DELETE',
      '/v1/admin/api-keys/0190f3c4-7b1a-7cc2-9a3e-1f2d3c4b5a69',
      { token: admin.accessToken },
    );
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('auth.api_key_not_found');
    const malformed = await api.request('DELETE', '/v1/admin/api-keys/nope', {
      token: admin.accessToken,
    });
    expect(malformed.status).toBe(400);
  });

  it('validate scope names', async () => {
    for (const scopes of [['Ledger'], ['1ledger'], ['led ger'], ['ledger', 'ledger'], 'ledger']) {
      const res = await api.request('POST', '/v1/admin/api-keys', {
        token: admin.accessToken,
        body: { name: 'bad', scopes },
      });
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain('scopes');
    }
  });

  it('are managed by admins only', async () => {
    const user = await signedInUser(api);
    const res = await api.request('POST', '/v1/admin/api-keys', {
      token: user.accessToken,
      body: { name: 'mine', scopes: [] },
    });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('auth.forbidden');
  });
});
