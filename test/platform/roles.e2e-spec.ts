import { buildOpenApiDocument, defineRole, Roles } from '@bourse/platform';
import { Controller, Get, Module } from '@nestjs/common';
import { signedInUser, type SignedInUser } from '../factories/users';
import { startApi, type TestServer } from '../setup/apps';

// A lib's own role, declared in the lib and required by its route: no platform change.
const TREASURER = defineRole('treasurer', 'moves house money between system accounts');

@Controller('test/treasury')
class TreasuryController {
  @Get()
  @Roles(TREASURER)
  balance(): { ok: true } {
    return { ok: true };
  }
}

@Module({ controllers: [TreasuryController] })
class TreasuryModule {}

describe('roles', () => {
  let api: TestServer;
  let admin: SignedInUser;
  let subject: SignedInUser;

  beforeAll(async () => {
    api = await startApi({}, [TreasuryModule]);
    admin = await signedInUser(api, { role: 'admin' });
    subject = await signedInUser(api);
  });
  afterAll(() => api.close());

  const as = (user: SignedInUser, method: string, path: string) =>
    api.request(method, path, { token: user.accessToken });

  it('let support read users but not disable them, nor read the audit trail', async () => {
    const support = await signedInUser(api, { role: 'support' });
    const found = await as(support, 'GET', `/v1/admin/users?email=${subject.email}`);
    expect(found.status).toBe(200);
    expect(found.body).toMatchObject({ id: subject.id, role: 'user' });
    expect((await as(support, 'POST', `/v1/admin/users/${subject.id}/disable`)).status).toBe(403);
    expect((await as(support, 'GET', '/v1/admin/audit-events')).status).toBe(403);
  });

  it('let compliance read users and the audit trail, and change nothing', async () => {
    const compliance = await signedInUser(api, { role: 'compliance' });
    expect((await as(compliance, 'GET', `/v1/admin/users?email=${subject.email}`)).status).toBe(
      200,
    );
    expect((await as(compliance, 'GET', '/v1/admin/audit-events')).status).toBe(200);
    expect((await as(compliance, 'POST', `/v1/admin/users/${subject.id}/disable`)).status).toBe(
      403,
    );
  });

  it('keep plain users out of both', async () => {
    expect((await as(subject, 'GET', `/v1/admin/users?email=${subject.email}`)).status).toBe(403);
    expect((await as(subject, 'GET', '/v1/admin/audit-events')).status).toBe(403);
  });

  it("let a lib require its own role, stored without a migration, and nobody else's", async () => {
    const treasurer = await signedInUser(api, { role: TREASURER });
    const me = await as(treasurer, 'GET', '/v1/me');
    expect(me.body.role).toBe('treasurer');
    expect((await as(treasurer, 'GET', '/test/treasury')).status).toBe(200);
    expect((await as(admin, 'GET', '/test/treasury')).status).toBe(403);
    expect((await as(treasurer, 'GET', '/v1/admin/audit-events')).status).toBe(403);
  });

  it("are documented as the declared set, a lib's included", () => {
    const userDto = buildOpenApiDocument(api.app).components!.schemas!.UserDto as {
      properties: { role: { enum: string[] } };
    };
    expect(userDto.properties.role.enum).toEqual([
      'user',
      'admin',
      'compliance',
      'support',
      'reseller',
      'treasurer',
    ]);
  });

  it('refuse a route guarded by a role nobody declared, and a redeclaration that differs', () => {
    expect(() => Roles('tresurer')).toThrow(/undeclared role tresurer/);
    expect(defineRole('treasurer', 'moves house money between system accounts')).toBe(TREASURER);
    expect(() => defineRole('treasurer', 'something else')).toThrow(/already declared/);
    expect(() => defineRole('Bad Role', 'x')).toThrow(/lowercase/);
  });
});
