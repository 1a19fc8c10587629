import { clientAddressResolver } from './client-address';

describe('clientAddressResolver (Fastify trustProxy semantics)', () => {
  const xff = '198.51.100.7, 10.0.0.5';

  it('ignores X-Forwarded-For unless proxies are trusted', () => {
    expect(clientAddressResolver(false)('::ffff:127.0.0.1', xff)).toBe('127.0.0.1');
  });

  it('takes the farthest address when every hop is trusted', () => {
    expect(clientAddressResolver(true)('127.0.0.1', xff)).toBe('198.51.100.7');
  });

  it('walks back a hop count', () => {
    expect(clientAddressResolver(1)('127.0.0.1', xff)).toBe('10.0.0.5');
    expect(clientAddressResolver(2)('127.0.0.1', xff)).toBe('198.51.100.7');
    expect(clientAddressResolver(5)('127.0.0.1', xff)).toBe('198.51.100.7');
  });

  it('walks back while the hop is in the trusted list', () => {
    expect(clientAddressResolver(['loopback'])('127.0.0.1', xff)).toBe('10.0.0.5');
    expect(clientAddressResolver(['loopback', '10.0.0.0/8'])('::ffff:127.0.0.1', xff)).toBe(
      '198.51.100.7',
    );
    expect(clientAddressResolver(['10.0.0.1'])('127.0.0.1', xff)).toBe('127.0.0.1');
  });
});
