import { authorize, type AccessRules } from './auth.guard';
import type { Principal } from './principal';

const user: Principal = { kind: 'user', userId: 'u1', role: 'user', sessionId: 's1' };
const admin: Principal = { kind: 'user', userId: 'u2', role: 'admin', sessionId: 's2' };
const scopedKey: Principal = { kind: 'apiKey', apiKeyId: 'k1', scopes: ['reports', 'exports'] };

const code = (principal: Principal | undefined, rules: Partial<AccessRules>): string => {
  try {
    authorize(principal, { isPublic: false, ...rules });

    return 'ok';
  } catch (error) {
    return (error as { code: string }).code;
  }
};

describe('authorize', () => {
  it('lets anyone through a public route', () => {
    expect(code(undefined, { isPublic: true })).toBe('ok');
    expect(code(scopedKey, { isPublic: true })).toBe('ok');
  });

  it('requires a caller everywhere else', () => {
    expect(code(undefined, {})).toBe('auth.unauthenticated');
  });

  it('admits any user unless @Roles narrows it', () => {
    expect(code(user, {})).toBe('ok');
    expect(code(user, { roles: ['admin'] })).toBe('auth.forbidden');
    expect(code(admin, { roles: ['admin'] })).toBe('ok');
  });

  it('refuses API keys on routes without @ApiKeyScopes', () => {
    expect(code(scopedKey, {})).toBe('auth.forbidden');
    expect(code(scopedKey, { roles: ['admin'] })).toBe('auth.forbidden');
  });

  it('requires every listed scope of an API key', () => {
    expect(code(scopedKey, { scopes: ['reports'] })).toBe('ok');
    expect(code(scopedKey, { scopes: ['reports', 'exports'] })).toBe('ok');
    expect(code(scopedKey, { scopes: ['reports', 'imports'] })).toBe('auth.forbidden');
    expect(code(scopedKey, { scopes: [] })).toBe('ok');
  });

  it('keeps users out of a scoped route only when @Roles is also given', () => {
    expect(code(user, { scopes: ['reports'] })).toBe('ok');
    expect(code(user, { scopes: ['reports'], roles: ['admin'] })).toBe('auth.forbidden');
    expect(code(scopedKey, { scopes: ['reports'], roles: ['admin'] })).toBe('ok');
  });
});
