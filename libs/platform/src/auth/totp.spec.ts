import { base32Encode, hotp, matchTotp, otpauthUri, totpStep } from './totp';

// RFC 6238, Appendix B: the SHA-1 seed and its 8-digit codes at these times.
const SEED = Buffer.from('12345678901234567890', 'ascii');
const VECTORS: [number, string][] = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];

describe('TOTP (RFC 6238)', () => {
  it.each(VECTORS)('gives the RFC test vector at T=%i', (seconds, code) => {
    expect(hotp(SEED, totpStep(seconds * 1000), 8)).toBe(code);
  });

  it('gives the RFC 4226 HOTP vectors', () => {
    expect([0, 1, 2, 9].map((counter) => hotp(SEED, counter))).toEqual([
      '755224',
      '287082',
      '359152',
      '520489',
    ]);
  });

  it('matches a code one step either side of now and names its step, nothing further', () => {
    const now = 1_700_000_000_000;
    const step = totpStep(now);
    expect(matchTotp(SEED, hotp(SEED, step), now)).toBe(step);
    expect(matchTotp(SEED, hotp(SEED, step - 1), now)).toBe(step - 1);
    expect(matchTotp(SEED, hotp(SEED, step + 1), now)).toBe(step + 1);
    expect(matchTotp(SEED, hotp(SEED, step + 2), now)).toBeUndefined();
    expect(matchTotp(SEED, '12345', now)).toBeUndefined();
  });

  it('encodes the secret as RFC 4648 base32 in an otpauth URI', () => {
    expect(base32Encode(Buffer.from('foobar'))).toBe('MZXW6YTBOI');
    expect(otpauthUri(SEED, 'ada@example.com', 'Bourse')).toBe(
      'otpauth://totp/Bourse:ada%40example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Bourse&algorithm=SHA1&digits=6&period=30',
    );
  });
});
