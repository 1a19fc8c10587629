import { Database, rows } from '@bourse/platform';
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { signedInUser, uniqueEmail, type SignedInUser } from '../factories/users';
import {
  SIGNATURE_HEADER,
  sign,
  TEST_WEBHOOK_PATH,
  TestWebhookApiModule,
} from '../factories/webhooks';
import { startApi, type HttpResult, type TestServer } from '../setup/apps';

/** A lone high surrogate: valid in a JSON string's escape, without any UTF-8 form. */
const LONE = 'a\ud800b';
/** How a URL carries the same: the bytes UTF-8 would give it, which are not UTF-8. */
const LONE_IN_URL = 'a%ED%A0%80b';
const NUL_IN_URL = 'a%00b';

interface Schema {
  $ref?: string;
  type?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  additionalProperties?: boolean | Schema;
}
interface Operation {
  operationId: string;
  parameters?: { in: string; name: string }[];
  requestBody?: { content: Record<string, { schema: Schema }> };
}

const spec = JSON.parse(readFileSync('openapi.json', 'utf8')) as {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
};
const resolve = (schema: Schema): Schema =>
  schema.$ref ? spec.components.schemas[schema.$ref.split('/').pop()!]! : schema;

/** The dotted path of every string a body of this schema can hold, with a body holding `value` there. */
function stringFields(schema: Schema, value: string, path = ''): [string, unknown][] {
  const s = resolve(schema);
  if (s.type === 'string') {
    return [[path, value]];
  }
  if (s.type === 'array' && s.items) {
    return stringFields(s.items, value, `${path}.0`).map(([field, body]) => [field, [body]]);
  }
  if (s.type === 'object') {
    const own = Object.entries(s.properties ?? {}).flatMap(([name, child]) =>
      stringFields(child, value, path ? `${path}.${name}` : name).map(
        ([field, body]): [string, unknown] => [field, { [name]: body }],
      ),
    );
    // Free-form objects (metadata) hold whatever a client puts there.
    const free: [string, unknown][] = s.additionalProperties
      ? [[path ? `${path}.note` : 'note', { note: value }]]
      : [];

    return [...own, ...free];
  }

  return [];
}

const operations = Object.entries(spec.paths).flatMap(([path, methods]) =>
  Object.entries(methods).map(([method, operation]) => ({ path, method, operation })),
);

const fields = (res: HttpResult) =>
  (res.body.errors as { field: string }[] | undefined)?.map((e) => e.field);

function expectFieldRefused(res: HttpResult, field: string): void {
  expect({ status: res.status, code: res.body.code, fields: fields(res) }).toEqual({
    status: 400,
    code: 'validation.failed',
    fields: expect.arrayContaining([field]),
  });
}

describe('text Postgres cannot store as sent', () => {
  let api: TestServer;
  let admin: SignedInUser;

  beforeAll(async () => {
    // With a lib's webhook route too: the spec leaves those out, the check covers them all the same.
    api = await startApi({}, [TestWebhookApiModule]);
    admin = await signedInUser(api, { role: 'admin' });
  });
  afterAll(() => api.close());

  const as = (body?: unknown) => ({ token: admin.accessToken, body });

  describe('is refused naming the field where it used to answer 500 or be stored changed', () => {
    it('a lone surrogate in the e-mail of a registration', async () => {
      const res = await api.request('POST', '/v1/auth/register', {
        body: { email: 'a\ud800b@example.com', password: 'a long enough password' },
      });
      expectFieldRefused(res, 'email');
    });

    it('NUL in a query parameter of the admin user search', async () => {
      expectFieldRefused(await api.request('GET', '/v1/admin/users?email=a%00b', as()), 'email');
    });

    it('a lone surrogate in metadata and in the reason of a freeze or a user disable', async () => {
      const account = await api.request(
        'POST',
        '/v1/ledger/accounts',
        as({ asset: 'USD', owner: 'system:house', kind: 'house', metadata: { note: LONE } }),
      );
      expectFieldRefused(account, 'metadata.note');

      const created = await api.request(
        'POST',
        '/v1/ledger/accounts',
        as({ asset: 'USD', owner: 'system:house', kind: 'house' }),
      );
      const id = created.body.id as string;
      const freeze = await api.request(
        'POST',
        `/v1/ledger/accounts/${id}/freeze`,
        as({ reason: LONE }),
      );
      expectFieldRefused(freeze, 'reason');

      const user = await signedInUser(api);
      const disable = await api.request(
        'POST',
        `/v1/admin/users/${user.id}/disable`,
        as({ reason: LONE }),
      );
      expectFieldRefused(disable, 'reason');
    });

    it('a lone surrogate in an API key name, rather than storing U+FFFD', async () => {
      const res = await api.request(
        'POST',
        '/v1/admin/api-keys',
        as({ name: LONE, scopes: ['ledger'] }),
      );
      expectFieldRefused(res, 'name');
      const keys = await api.request('GET', '/v1/admin/api-keys', as());
      expect(keys.body.map((key: { name: string }) => key.name)).not.toContain('a\ufffdb');
    });

    it('keys of JSON objects too, and percent-encoding that is not UTF-8 in a query', async () => {
      const res = await api.request('POST', '/v1/auth/login', {
        body: { email: uniqueEmail(), password: 'x', [LONE]: 1 },
      });
      expectFieldRefused(res, LONE);
      expectFieldRefused(await api.request('GET', '/v1/market/symbols?q=%C0', as()), 'q');
    });
  });

  describe('in a webhook delivery (routes the spec leaves out)', () => {
    /** Sent as the provider would: these bytes, correctly signed. */
    const deliver = (body: unknown) => {
      const text = JSON.stringify(body);

      return api.request('POST', TEST_WEBHOOK_PATH, {
        body: text,
        headers: { [SIGNATURE_HEADER]: sign(text) },
      });
    };

    it('is refused naming the field, in fields the DTO declares and those it keeps unmodelled, storing nothing', async () => {
      const id = `evt_${randomUUID()}`;
      const sent = [
        [{ id, type: LONE }, 'type'],
        [{ id, type: 'test.paid', customer: { name: 'a\u0000b' } }, 'customer.name'],
        [{ id, type: 'test.paid', data: { object: { note: LONE } } }, 'data.object.note'],
        [{ id, type: 'test.paid', [LONE]: true }, LONE],
      ] as const;

      for (const [body, field] of sent) {
        expectFieldRefused(await deliver(body), field);
      }
      const stored = await rows(
        api.app.get(Database).dataSource.manager,
        `SELECT 1 FROM inbox WHERE event_id = $1`,
        [id],
      );
      expect(stored).toEqual([]);
    });
  });

  describe.each(operations)('$method $path', ({ path, method, operation }) => {
    const pathParams = (operation.parameters ?? []).filter((p) => p.in === 'path');
    const queryParams = (operation.parameters ?? []).filter((p) => p.in === 'query');
    const bodySchema = Object.values(operation.requestBody?.content ?? {})[0]?.schema;
    const urlWith = (name?: string, value?: string) =>
      path.replace(/\{(\w+)\}/g, (_, param: string) => (param === name ? value! : randomUUID()));
    const send = (url: string, body?: unknown) =>
      api.request(method.toUpperCase(), url, {
        token: admin.accessToken,
        body: body ?? (bodySchema ? {} : undefined),
      });

    it('refuses NUL and lone surrogates in each path and query parameter, naming it', async () => {
      for (const { name } of pathParams) {
        expectFieldRefused(await send(urlWith(name, NUL_IN_URL)), name);
        expectFieldRefused(await send(urlWith(name, LONE_IN_URL)), name);
      }
      for (const { name } of queryParams) {
        expectFieldRefused(await send(`${urlWith()}?${name}=${NUL_IN_URL}`), name);
        expectFieldRefused(await send(`${urlWith()}?${name}=${LONE_IN_URL}`), name);
      }
    });

    it('refuses NUL and lone surrogates in each string of the body, naming it', async () => {
      const bodies = bodySchema ? stringFields(bodySchema, LONE) : [];
      for (const [field, body] of bodies) {
        expectFieldRefused(await send(urlWith(), body), field);
        expectFieldRefused(
          await send(urlWith(), JSON.parse(JSON.stringify(body).replaceAll('\\ud800', '\\u0000'))),
          field,
        );
      }
    });
  });

  it('covers every operation of the spec, with and without parameters', () => {
    expect(operations.length).toBeGreaterThan(30);
    expect(operations.some((o) => o.operation.requestBody)).toBe(true);
    expect(operations.some((o) => o.operation.parameters?.some((p) => p.in === 'path'))).toBe(true);
  });
});
