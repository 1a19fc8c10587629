import { isoTime, redactSecrets } from './logger';

describe('redactSecrets', () => {
  it('redacts secret keys at the top level and at depth, whatever their case', () => {
    expect(
      redactSecrets({
        password: 'p',
        user: { email: 'a@b.c', Password: 'p' },
        request: { headers: { Authorization: 'Bearer t', cookie: 'c', 'x-api-key': 'k' } },
        items: [{ refreshToken: 'r' }, { sku: 'A' }],
      }),
    ).toEqual({
      password: '[redacted]',
      user: { email: 'a@b.c', Password: '[redacted]' },
      request: {
        headers: { Authorization: '[redacted]', cookie: '[redacted]', 'x-api-key': '[redacted]' },
      },
      items: [{ refreshToken: '[redacted]' }, { sku: 'A' }],
    });
  });

  it('never changes what the caller logged', () => {
    const logged = { user: { password: 'p' }, other: { id: 1 } };
    const clean = redactSecrets(logged);
    expect(logged.user.password).toBe('p');
    expect(clean.other).toBe(logged.other);
  });

  it('returns a line without secrets as is, without copying', () => {
    const line = { method: 'GET', url: '/v1/x', status: 200, ms: 3 };
    expect(redactSecrets(line)).toBe(line);
  });

  it('leaves errors, buffers and dates to the serializers', () => {
    const err = Object.assign(new Error('boom'), { token: 'kept for the err serializer' });
    const buffer = Buffer.from('password');
    const at = new Date(0);
    expect(redactSecrets({ err, buffer, at })).toEqual({ err, buffer, at });
  });

  it('stops at a bounded depth, so a cycle cannot hang the logger', () => {
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    expect(() => redactSecrets(cyclic)).not.toThrow();
  });
});

describe('isoTime', () => {
  afterEach(() => jest.useRealTimers());

  it('formats pino time fields as ISO-8601, anew whenever the millisecond changes', () => {
    jest.useFakeTimers({ now: Date.parse('2026-11-29T10:00:00.001Z') });
    const first = isoTime();
    expect(first).toBe(',"time":"2026-11-29T10:00:00.001Z"');
    expect(isoTime()).toBe(first);
    jest.setSystemTime(Date.parse('2026-11-29T10:00:00.002Z'));
    expect(isoTime()).toBe(',"time":"2026-11-29T10:00:00.002Z"');
  });
});
