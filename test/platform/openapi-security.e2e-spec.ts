import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { signedInUser, type SignedInUser } from '../factories/users';
import { TEST_WEBHOOK_PATH, TestWebhookApiModule } from '../factories/webhooks';
import { startApi, type TestServer } from '../setup/apps';

interface Operation {
  operationId: string;
  description?: string;
  summary?: string;
  security?: Record<string, string[]>[];
  requestBody?: unknown;
  'x-roles'?: string[];
  'x-api-key-scopes'?: string[];
}

const spec = JSON.parse(readFileSync('openapi.json', 'utf8')) as {
  paths: Record<string, Record<string, Operation>>;
};
const operations = Object.entries(spec.paths).flatMap(([path, methods]) =>
  Object.entries(methods).map(([method, operation]) => ({ path, method, operation })),
);
const schemes = (operation: Operation) => (operation.security ?? []).flatMap(Object.keys).sort();

/**
 * The document is what client developers trust: each operation's declared security, roles and
 * API-key scopes must be what the guard enforces. Every operation is called as each kind of
 * caller; a refusal by the guard is a 401 or 403, anything else (a 400 for the empty body, a 404
 * for the random id) means the guard let the caller through.
 */
const ROLES = ['user', 'admin', 'support', 'compliance'] as const;

describe('the OpenAPI document declares the access the guard enforces', () => {
  let api: TestServer;
  /** A signed-in user of each role the platform declares. */
  let users: Record<(typeof ROLES)[number], SignedInUser>;
  let ledgerKey: string;
  let otherKey: string;

  beforeAll(async () => {
    // With a lib's webhook route mounted, as a lib that takes a provider's webhooks would.
    api = await startApi({}, [TestWebhookApiModule]);
    const signedIn = await Promise.all(ROLES.map((role) => signedInUser(api, { role })));
    users = Object.fromEntries(ROLES.map((role, i) => [role, signedIn[i]!])) as typeof users;
    const key = async (scopes: string[]) => {
      const res = await api.request('POST', '/v1/admin/api-keys', {
        token: users.admin.accessToken,
        body: { name: 'access-test', scopes },
      });

      return `ApiKey ${res.body.key as string}`;
    };
    [ledgerKey, otherKey] = await Promise.all([key(['ledger']), key(['reports'])]);
  });
  afterAll(() => api.close());

  it('covers every operation with a summary and who may call it', () => {
    for (const { operation } of operations) {
      expect(operation.summary).toEqual(expect.any(String));
      expect(operation.description).toContain('**Who may call it:**');
      // The line names each role the operation admits (x-roles is the guard's @Roles).
      for (const role of operation['x-roles'] ?? []) {
        expect(operation.description).toMatch(
          new RegExp(`Who may call it:\\*\\* [^\\n]*\`${role}\``),
        );
      }
      expect(operation.security).toBeDefined();
    }
  });

  it('leaves out only webhook routes, which admit every caller to their signature check', async () => {
    const served = (await api.request('GET', '/openapi.json')).body as typeof spec;
    expect(Object.keys(served.paths).sort()).toEqual(Object.keys(spec.paths).sort());
    expect(served.paths[TEST_WEBHOOK_PATH]).toBeUndefined();

    // Public: the provider's signature, not a token, decides (400 `inbox.invalid_signature`,
    // nothing stored); a token sent anyway is still checked, as on any public route.
    const tokens = [
      undefined,
      ...ROLES.map((role) => users[role].accessToken),
      ledgerKey,
      otherKey,
    ];
    for (const token of tokens) {
      const res = await api.request('POST', TEST_WEBHOOK_PATH, { token, body: { id: 'evt_x' } });
      expect({ status: res.status, code: res.body.code }).toEqual({
        status: 400,
        code: 'inbox.invalid_signature',
      });
    }
    expect(
      (await api.request('POST', TEST_WEBHOOK_PATH, { token: 'not-a-jwt', body: {} })).status,
    ).toBe(401);
  });

  describe.each(operations)('$method $path', ({ path, method, operation }) => {
    const call = (token?: string) =>
      api.request(
        method.toUpperCase(),
        path.replace(/\{\w+\}/g, () => randomUUID()),
        {
          token,
          body: operation.requestBody ? {} : undefined,
        },
      );
    const isPublic = operation.security!.length === 0;
    const roles = operation['x-roles'];
    const scopes = operation['x-api-key-scopes'];

    it('admits exactly the callers its security, x-roles and x-api-key-scopes declare', async () => {
      const refused = async (token?: string) => [401, 403].includes((await call(token)).status);

      expect(schemes(operation)).toEqual(
        isPublic ? [] : scopes ? ['apiKey', 'bearer'] : ['bearer'],
      );
      const refusedRoles: Record<string, boolean> = {};
      for (const role of ROLES) {
        refusedRoles[role] = await refused(users[role].accessToken);
      }
      expect({
        anonymous: await refused(),
        ...refusedRoles,
        ledgerKey: await refused(ledgerKey),
        otherKey: await refused(otherKey),
      }).toEqual({
        anonymous: !isPublic,
        ...Object.fromEntries(
          ROLES.map((role) => [role, !isPublic && roles !== undefined && !roles.includes(role)]),
        ),
        ledgerKey: !isPublic && !(scopes && scopes.every((s) => s === 'ledger')),
        otherKey: !isPublic && !(scopes && scopes.every((s) => s === 'reports')),
      });
    });
  });
});
