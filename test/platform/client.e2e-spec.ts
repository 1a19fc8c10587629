import { createBourseClient } from '@bourse/client';
import { startApi, type TestServer } from '../setup/apps';
import { uniqueEmail } from '../factories/users';

describe('the generated TypeScript client', () => {
  let api: TestServer;

  beforeAll(async () => {
    api = await startApi();
  });
  afterAll(() => api.close());

  it('signs up, signs in and reads /v1/me with typed bodies', async () => {
    const session: { token?: string } = {};
    const client = createBourseClient({ baseUrl: api.url, authorization: () => session.token });
    const email = uniqueEmail();

    const registered = await client.POST('/v1/auth/register', {
      body: { email, password: 'a long enough password' },
    });
    expect(registered.response.status).toBe(201);
    session.token = registered.data!.accessToken;

    const me = await client.GET('/v1/me');
    expect(me.data).toMatchObject({ email, role: 'user' });
  });

  it('types errors as problem documents', async () => {
    const client = createBourseClient({ baseUrl: api.url });
    const { error, response } = await client.POST('/v1/auth/login', {
      body: { email: uniqueEmail(), password: 'not the password' },
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(error).toMatchObject({ status: 401, code: 'auth.invalid_credentials' });
  });
});
