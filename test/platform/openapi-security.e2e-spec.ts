import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { signedInUser, type SignedInUser } from '../factories/users';
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
describe('the OpenAPI document declares the access the guard enforces', () => {
  let api: TestServer;
  let user: SignedInUser;
  let admin: SignedInUser;
  let ledgerKey: string;
  let otherKey: string;

  beforeAll(async () => {
    api = await startApi();
    [user, admin] = await Promise.all([signedInUser(api), signedInUser(api, { role: 'admin' })]);
    const key = async (scopes: string[]) => {
      const res = await api.request('POST', '/v1/admin/api-keys', {
        token: admin.accessToken,
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
      expect(operation.security).toBeDefined();
    }
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
      expect({
        anonymous: await refused(),
        user: await refused(user.accessToken),
        admin: await refused(admin.accessToken),
        ledgerKey: await refused(ledgerKey),
        otherKey: await refused(otherKey),
      }).toEqual({
        anonymous: !isPublic,
        user: !isPublic && roles !== undefined && !roles.includes('user'),
        admin: !isPublic && roles !== undefined && !roles.includes('admin'),
        ledgerKey: !isPublic && !(scopes && scopes.every((s) => s === 'ledger')),
        otherKey: !isPublic && !(scopes && scopes.every((s) => s === 'reports')),
      });
    });
  });
});
