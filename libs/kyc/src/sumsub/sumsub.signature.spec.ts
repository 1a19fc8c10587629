import { createHmac } from 'node:crypto';
import { sumsubDigest, sumsubSignatureMatches } from './sumsub.signature';

const SECRET = 'webhook-secret';
const BODY = Buffer.from('{"applicantId":"a1","type":"applicantReviewed"}');

describe('Sumsub X-Payload-Digest', () => {
  it.each([
    ['HMAC_SHA1_HEX', 'sha1'],
    ['HMAC_SHA256_HEX', 'sha256'],
    ['HMAC_SHA512_HEX', 'sha512'],
  ] as const)('accepts %s, the hex HMAC-%s of the raw body', (alg, hash) => {
    const digest = createHmac(hash, SECRET).update(BODY).digest('hex');

    expect(sumsubDigest(SECRET, BODY, alg)).toBe(digest);
    expect(
      sumsubSignatureMatches(SECRET, BODY, {
        'x-payload-digest': digest,
        'x-payload-digest-alg': alg,
      }),
    ).toBe(true);
  });

  it.each([
    ['another secret', { 'x-payload-digest': sumsubDigest('other', BODY, 'HMAC_SHA256_HEX') }],
    [
      'a digest of other bytes',
      { 'x-payload-digest': sumsubDigest(SECRET, '{}', 'HMAC_SHA256_HEX') },
    ],
    ['no digest', {}],
    [
      'a truncated digest',
      { 'x-payload-digest': sumsubDigest(SECRET, BODY, 'HMAC_SHA256_HEX').slice(0, 20) },
    ],
  ])('refuses %s', (_case, headers) => {
    expect(
      sumsubSignatureMatches(SECRET, BODY, {
        ...headers,
        'x-payload-digest-alg': 'HMAC_SHA256_HEX',
      }),
    ).toBe(false);
  });

  it('refuses a missing or unknown algorithm instead of guessing one', () => {
    const digest = sumsubDigest(SECRET, BODY, 'HMAC_SHA1_HEX');

    expect(sumsubSignatureMatches(SECRET, BODY, { 'x-payload-digest': digest })).toBe(false);
    expect(
      sumsubSignatureMatches(SECRET, BODY, {
        'x-payload-digest': digest,
        'x-payload-digest-alg': 'HMAC_MD5_HEX',
      }),
    ).toBe(false);
    expect(
      sumsubSignatureMatches(SECRET, BODY, {
        'x-payload-digest': digest,
        'x-payload-digest-alg': 'toString',
      }),
    ).toBe(false);
  });
});
