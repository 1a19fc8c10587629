import { randomBytes } from 'node:crypto';
import { parseTierLimits } from './kyc.tiers';
import { PiiCipher } from './pii-cipher';

describe('PiiCipher (AES-256-GCM with a key id)', () => {
  const k1 = randomBytes(32);
  const k2 = randomBytes(32);

  it('seals under the current key id, never in clear, and opens with the key it names', () => {
    const old = new PiiCipher(new Map([['k1', k1]]), 'k1');
    const sealed = old.seal('QQ123456C');

    expect(sealed.startsWith('k1.')).toBe(true);
    expect(sealed).not.toContain('QQ123456C');
    expect(old.seal('QQ123456C')).not.toBe(sealed); // a fresh IV each time
    // After rotation, the old key stays configured to open what it sealed.
    const rotated = new PiiCipher(
      new Map([
        ['k1', k1],
        ['k2', k2],
      ]),
      'k2',
    );
    expect(rotated.open(sealed)).toBe('QQ123456C');
    expect(rotated.keyIdOf(rotated.seal('x'))).toBe('k2');
  });

  it('refuses a tampered ciphertext and an unknown key', () => {
    const cipher = new PiiCipher(new Map([['k1', k1]]), 'k1');
    const [id, iv, tag, data] = cipher.seal('1990-12-10').split('.');
    const flipped = Buffer.from(data!, 'base64url');
    flipped[0] = flipped[0]! ^ 1;

    expect(() => cipher.open([id, iv, tag, flipped.toString('base64url')].join('.'))).toThrow();
    expect(() => cipher.open(['k9', iv, tag, data].join('.'))).toThrow(/No PII key k9/);
  });

  it('fingerprints deterministically without revealing the value', () => {
    const cipher = new PiiCipher(new Map([['k1', k1]]), 'k1');

    expect(cipher.fingerprint('QQ123456C')).toBe(cipher.fingerprint('QQ123456C'));
    expect(cipher.fingerprint('QQ123456C')).toMatch(/^[0-9a-f]{64}$/);
    expect(cipher.fingerprint('QQ123456D')).not.toBe(cipher.fingerprint('QQ123456C'));
  });

  it('refuses a key that is not 32 bytes', () => {
    expect(() => new PiiCipher(new Map([['k1', randomBytes(16)]]), 'k1')).toThrow();
  });
});

describe('tier limits from config', () => {
  it('parses daily and monthly limits per kind', () => {
    expect(parseTierLimits('buy=100/1000,sell=200/2000,withdrawal=50/500')).toEqual({
      buy: { daily: 100n, monthly: 1000n },
      sell: { daily: 200n, monthly: 2000n },
      withdrawal: { daily: 50n, monthly: 500n },
    });
  });

  it.each([
    ['buy=100/1000,sell=200/2000', 'missing withdrawal'],
    ['buy=1000/100,sell=1/1,withdrawal=1/1', 'buy: the daily limit exceeds the monthly one'],
    [
      'buy=1.5/100,sell=1/1,withdrawal=1/1',
      '"buy=1.5/100" is not <buy|sell|withdrawal>=<daily>/<monthly>',
    ],
  ])('refuses %s: %s', (text, problem) => {
    expect(parseTierLimits(text)).toBe(problem);
  });
});
